import { Controller, Delete, Get, Param } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UserApi } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { Caller, CurrentUser, type AuthenticatedUser } from './auth.decorators';
import { EndSessionCommand, ListSessionsQuery } from './sessions.commands';
import { EndedSessionView, SessionListView } from './sessions.dto';

/** The caller's sign-ins: see them, end one (a lost phone) without changing the password. */
@ApiTags('identity')
@UserApi()
@Controller('me/sessions')
export class SessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My live sign-ins, newest first; the one this request uses is `current: true`' })
  @ApiOkResponse({ type: SessionListView })
  // 503 READ_MODEL.BEHIND: the sign-ins read model did not catch up in time.
  @ApiErrors(503)
  list(@CurrentUser() user: AuthenticatedUser | undefined, @Caller() caller: CommandContext): Promise<SessionListView> {
    return this.queries.execute(new ListSessionsQuery(caller.actor, user?.familyId ?? null));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Ends one of my sign-ins: its tokens are refused from the next request on (404 SESSION.NOT_FOUND otherwise)' })
  @ApiOkResponse({ type: EndedSessionView })
  @ApiErrors(400, 404, 503, 507)
  async end(@Param('id', UuidParamPipe) id: string, @Caller() caller: CommandContext): Promise<EndedSessionView> {
    const ended = await this.commands.execute(new EndSessionCommand(caller.actor, id, caller));
    return { id, status: 'revoked', ...ended };
  }
}
