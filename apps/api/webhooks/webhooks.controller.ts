import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { clientPosition } from '../common/client-position';
import { PreviousLogPositions } from '../common/previous-log-positions';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { RegisteredWebhookResponse, WebhookChangeResponse, WebhookListResponse, WebhookReplayResponse, WebhookResponse } from './webhooks.responses';
import type { WebhookFormat } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import type { WebhookCommand } from '../../../libs/domain/webhooks/webhook.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ExecuteWebhookCommand } from './webhook-command.command';
import { RegisterWebhookDto, ReplayWebhookDto, UpdateWebhookDto } from './webhooks.dto';
import { GetWebhookQuery, ListWebhooksQuery, type WebhookView } from './webhooks.queries';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { webhooksProjection } from '../../../projections';

export interface RegisteredWebhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly format: WebhookFormat;
  readonly status: 'active';
  readonly position: string;
}

export interface WebhookChange {
  readonly id: string;
  /** Events written; 0 when the subscription already was as asked. */
  readonly written: number;
  readonly position: string | null;
}

const now = () => new Date().toISOString();

/** Webhook subscriptions, for server-side integrations holding the admin API key. */
@ApiTags('admin')
@Public()
@RequireScopes('admin:webhooks')
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly previousLog: PreviousLogPositions,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: RegisteredWebhookResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async register(@Body() body: RegisterWebhookDto, @AdminCaller() caller: CommandContext): Promise<RegisteredWebhook> {
    const id = newId();
    const format = body.format ?? 'parley';
    const result = await this.commands.execute(
      new ExecuteWebhookCommand(
        id,
        { type: 'RegisterWebhook', webhookId: id, url: body.url, events: body.events, secret: body.secret, format, actor: caller.actor, now: now() },
        caller,
      ),
    );
    return { id, url: body.url, events: [...new Set(body.events)], format, status: 'active', position: result.position! };
  }

  @Get()
  @ReadModelQuery(webhooksProjection)

  @ApiOkResponse({ type: WebhookListResponse })
  list(): Promise<{ readonly items: readonly WebhookView[] }> {
    return this.queries.execute(new ListWebhooksQuery());
  }

  @Get(':id')
  @ReadModelQuery(webhooksProjection)

  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(404)
  get(@Param('id', UuidParamPipe) id: string): Promise<WebhookView> {
    return this.queries.execute(new GetWebhookQuery(id));
  }

  /** Changes url, events, secret or format; `status` pauses by hand or resumes where delivery stopped. */
  @Patch(':id')
  @ApiOkResponse({ type: WebhookChangeResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  async update(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateWebhookDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<WebhookChange> {
    const steps: WebhookCommand[] = [];
    const { status, ...fields } = body;
    if (status === 'paused') {
      steps.push({ type: 'PauseWebhook', reason: 'admin', lastError: null, stuckAt: null, attempts: 0, actor: caller.actor, now: now() });
    }
    if (Object.keys(fields).length > 0 || steps.length === 0) steps.push({ type: 'UpdateWebhook', ...fields, actor: caller.actor, now: now() });
    if (status === 'active') steps.push({ type: 'ResumeWebhook', from: null, actor: caller.actor, now: now() });
    let written = 0;
    let position: string | null = null;
    for (const command of steps) {
      const result = await this.commands.execute(new ExecuteWebhookCommand(id, command, caller));
      written += result.written;
      position = result.position ?? position;
    }
    return { id, written, position };
  }

  @Delete(':id')
  @ApiOkResponse({ type: WebhookChangeResponse })
  @ApiErrors(400, 404, 409)
  async remove(@Param('id', UuidParamPipe) id: string, @AdminCaller() caller: CommandContext): Promise<WebhookChange> {
    const result = await this.commands.execute(new ExecuteWebhookCommand(id, { type: 'RemoveWebhook', actor: caller.actor, now: now() }, caller));
    return { id, written: result.written, position: result.position };
  }

  /** Delivers again from `from` (inclusive), whatever was delivered before; resumes a paused subscription. */
  @Post(':id/replay')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookReplayResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  async replay(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ReplayWebhookDto,
    @AdminCaller() caller: CommandContext,
  ): Promise<WebhookChange & { readonly from: string }> {
    const from = await this.replayStart(body);
    const result = await this.commands.execute(
      new ExecuteWebhookCommand(id, { type: 'ResumeWebhook', from, actor: caller.actor, now: now() }, caller),
    );
    return { id, from, written: result.written, position: result.position };
  }

  /** The replay's first position in this log: `from` as sent, or `fromPreviousLog` translated once after a move. */
  private async replayStart(body: ReplayWebhookDto): Promise<string> {
    if (body.fromPreviousLog === undefined) {
      const from = body.from ?? '';
      await clientPosition(this.store, from, 'from', { invalid: 'WEBHOOK.REPLAY_INVALID', ahead: 'WEBHOOK.REPLAY_AHEAD' });
      return from;
    }
    return (await this.previousLog.from(body.fromPreviousLog, 'fromPreviousLog', { text: body.from, conflict: 'WEBHOOK.REPLAY_CONFLICT' })).toString();
  }
}
