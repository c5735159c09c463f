import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ParleyConfig } from '../../../libs/config/config';
import { webhookKeyOwner } from '../../../libs/domain/personal-data';
import { decideWebhook, webhookDecider, webhookStream, type WebhookCommand } from '../../../libs/domain/webhooks/webhook.decider';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
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
    private readonly pipeline: CommandPipeline,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly vault: PersonalDataVault,
  ) {}

  async execute({ webhookId, command: asked, context }: ExecuteWebhookCommand): Promise<WebhookCommandResult> {
    const command: WebhookCommand =
      asked.type === 'RegisterWebhook' || asked.type === 'UpdateWebhook'
        ? { ...asked, allowPrivateNetworks: this.config.webhookAllowPrivateNetworks }
        : asked;
    const { events, appended } = await this.pipeline.handle(
      webhookDecider,
      webhookStream(webhookId),
      async ({ state }) => {
        // Removal shreds the signing secret first: a crash before the append leaves a webhook
        // that cannot sign (so sends nothing), never a removed one whose secret reads.
        if (decideWebhook(command, state).some((event) => event.type === 'WebhookRemoved')) {
          await this.vault.destroy(webhookKeyOwner(webhookId));
        }
        return command;
      },
      context,
      { states: { load: () => this.webhooks.load(webhookId) } },
    );
    return { webhookId, written: events.length, position: appended === null ? null : appended.position.toString() };
  }
}
