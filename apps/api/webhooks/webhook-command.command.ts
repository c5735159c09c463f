import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideWebhook, webhookStream, type WebhookCommand } from '../../../libs/domain/webhooks/webhook.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { WebhookStates } from './webhook-states';

export interface WebhookCommandResult {
  readonly webhookId: string;
  /** Number of events written; 0 when the subscription already was as asked. */
  readonly written: number;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
}

/** Any decision on one webhook subscription, by an admin or by the delivery worker. */
export class ExecuteWebhookCommand extends Command<WebhookCommandResult> {
  constructor(
    readonly webhookId: string,
    readonly command: WebhookCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteWebhookCommand)
export class ExecuteWebhookCommandHandler implements ICommandHandler<ExecuteWebhookCommand, WebhookCommandResult> {
  constructor(
    private readonly webhooks: WebhookStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ webhookId, command, context }: ExecuteWebhookCommand): Promise<WebhookCommandResult> {
    const stream = webhookStream(webhookId);
    return this.locks.run(stream, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.webhooks.load(webhookId);
        const events = decideWebhook(command, state);
        if (events.length === 0) return { webhookId, written: 0, position: null };
        const result = await this.writer.append(stream, events, revision ?? 'no_stream', context);
        return { webhookId, written: events.length, position: result.position.toString() };
      }),
    );
  }
}
