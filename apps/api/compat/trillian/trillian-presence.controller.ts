import { Body, Controller, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import type { PresenceStatus } from '../../../../libs/domain/events';
import { validationError } from '../../../../libs/domain/errors';
import { AdminCaller } from '../../admin/api-key.guard';
import { ApiEmptyResponse } from '../../common/openapi';
import { ReadModelQuery } from '../../common/min-position.interceptor';
import { ListPresenceQuery, type AdminPresencePage, type AdminPresenceView } from '../../presence/presence.queries';
import { SetPresenceCommand } from '../../presence/set-presence.command';
import { presenceProjection } from '../../../../projections';
import { TrillianToken } from './trillian-auth.guard';
import { TrillianPresenceDto } from './trillian.dto';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, userIdOf, type WireNode } from './trillian-wire';

/**
 * Trillian's numeric status, by position: 0 offline, 1 online, 2 away (the
 * seed's example: "Away since…"), 3 busy, 4 invisible. The seed names only 2;
 * the rest is Parley's reading, documented in OpenAPI.
 */
export const TRILLIAN_STATUSES: readonly PresenceStatus[] = ['offline', 'online', 'away', 'busy', 'invisible'];

function statusOf(code: string | undefined): PresenceStatus | undefined {
  if (code === undefined) return undefined;
  const status = /^[0-9]$/.test(code) ? TRILLIAN_STATUSES[Number(code)] : undefined;
  if (status === undefined) {
    throw validationError('PRESENCE.STATUS_INVALID', `status must be 0 to ${TRILLIAN_STATUSES.length - 1}`, [
      { field: 'status', reason: `must be one of ${TRILLIAN_STATUSES.map((s, i) => `${i} (${s})`).join(', ')}` },
    ]);
  }
  return status;
}

const seconds = (at: string | null): number => (at === null ? 0 : Math.floor(Date.parse(at) / 1000));

/** Parley keeps a device's name, platform and version; Trillian's ip and build are not kept and answer 0. */
const presenceNode = (view: AdminPresenceView): WireNode => ({
  '@_name': view.userId,
  '@_status': TRILLIAN_STATUSES.indexOf(view.status),
  '@_message': view.message ?? '',
  '@_timestamp': seconds(view.changedAt ?? view.lastSeenAt),
  devices:
    view.device === null
      ? ''
      : { device: [{ '@_ip': 0, '@_name': view.device.name, '@_platform': view.device.platform, '@_version': view.device.version, '@_build': 0 }] },
});

/**
 * Trillian's presence (`/trillian/v1/presence`) over Parley's presence as
 * administrators see it: tokens with `admin:presence`; users named by id.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:presence')
@ApiProduces('application/xml', 'application/json')
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('trillian/v1/presence')
export class TrillianPresenceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ReadModelQuery(presenceProjection)
  @ApiOperation({
    summary: 'Get all presence',
    description:
      'Every user’s presence as set (invisible included; removed accounts left out). status: 0 offline, 1 online, 2 away, 3 busy, 4 invisible. ' +
      'name is the user id; timestamp is when it last changed (Unix seconds). A device’s ip and build are not kept by Parley and answer 0.',
  })
  @TrillianAnswer(200, 'presences', 400)
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const views: AdminPresenceView[] = [];
    let cursor: string | undefined;
    do {
      const page: AdminPresencePage = await this.queries.execute(new ListPresenceQuery(undefined, cursor, 100));
      views.push(...page.items.filter((view) => !view.removed));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return answer(request, reply, 200, { presence: views.map(presenceNode) });
  }

  @Patch(':imaddress')
  @HttpCode(204)
  @ApiOperation({ summary: 'Update a user’s presence (PATCH; POST does the same)', description: 'status, message or both; what is left out stays. The device stays as the user’s client set it.' })
  @ApiParam({ name: 'imaddress', description: 'The user id (an @domain after it is ignored)', schema: { type: 'string' } })
  @ApiBody({ type: TrillianPresenceDto })
  @ApiEmptyResponse(204, 'Updated')
  @TrillianAnswer(null, null, ...TRILLIAN_ERRORS, 404)
  patch(@Param('imaddress') name: string, @Body() body: TrillianPresenceDto, @AdminCaller() caller: CommandContext): Promise<void> {
    return this.update(name, body, caller);
  }

  @Post(':imaddress')
  @HttpCode(204)
  @ApiOperation({ summary: 'Update a user’s presence (POST, where PATCH is unavailable)' })
  @ApiParam({ name: 'imaddress', description: 'The user id (an @domain after it is ignored)', schema: { type: 'string' } })
  @ApiBody({ type: TrillianPresenceDto })
  @ApiEmptyResponse(204, 'Updated')
  @TrillianAnswer(null, null, ...TRILLIAN_ERRORS, 404)
  async update(@Param('imaddress') name: string, @Body() body: TrillianPresenceDto, @AdminCaller() caller: CommandContext): Promise<void> {
    const userId = userIdOf(name, 'imaddress');
    const status = statusOf(body.status);
    if (status === undefined && body.message === undefined) {
      throw validationError('PRESENCE.UPDATE_EMPTY', 'Give status, message or both', [{ field: 'status', reason: 'or message is required' }]);
    }
    await this.commands.execute(new SetPresenceCommand(userId, { status, message: body.message, device: undefined }, caller));
  }
}
