import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { webhookDecider, webhookStream, type WebhookCommand } from '../../../libs/domain/webhooks/webhook.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

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
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ webhookId, command, context }: ExecuteWebhookCommand): Promise<WebhookCommandResult> {
    const { events, appended } = await this.pipeline.handle(webhookDecider, webhookStream(webhookId), command, context);
    return { webhookId, written: events.length, position: appended ? appended.position.toString() : null };
  }
}
