import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ParleyConfig } from '../../../libs/config/config';
import { webhookKeyOwner } from '../../../libs/domain/personal-data';
import { decideWebhook, webhookStream, type WebhookCommand } from '../../../libs/domain/webhooks/webhook.decider';
import { PersonalDataVault } from '../../../libs/personal-data/vault';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
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
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly vault: PersonalDataVault,
  ) {}

  execute({ webhookId, command: asked, context }: ExecuteWebhookCommand): Promise<WebhookCommandResult> {
    const stream = webhookStream(webhookId);
    const command: WebhookCommand =
      asked.type === 'RegisterWebhook' || asked.type === 'UpdateWebhook'
        ? { ...asked, allowPrivateNetworks: this.config.webhookAllowPrivateNetworks }
        : asked;
    return this.locks.run(stream, () =>
      this.writer.retrying(async () => {
        const { state, revision } = await this.webhooks.load(webhookId);
        const events = decideWebhook(command, state);
        if (events.length === 0) return { webhookId, written: 0, position: null };
        // Removal shreds the signing secret first: a crash in between leaves a webhook
        // that cannot sign (so sends nothing), never a removed one whose secret reads.
        if (events.some((event) => event.type === 'WebhookRemoved')) await this.vault.destroy(webhookKeyOwner(webhookId));
        const result = await this.writer.append(stream, events, revision ?? 'no_stream', context);
        return { webhookId, written: events.length, position: result.position.toString() };
      }),
    );
  }
}
