import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { apiKeyDecider, type ApiKeyCommand, type ApiKeyState } from '../../../libs/domain/api-keys/api-key.decider';
import { streams } from '../../../libs/domain/streams';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

export interface ApiKeyCommandResult {
  readonly keyId: string;
  /** Events written; 0 when the key already was as asked (revoked twice). */
  readonly written: number;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
  /** The key's state after the command. */
  readonly state: ApiKeyState;
}

/** Creation or revocation of one API key, by an admin caller, the CLI or the bootstrap. */
export class ExecuteApiKeyCommand extends Command<ApiKeyCommandResult> {
  constructor(
    readonly keyId: string,
    readonly command: ApiKeyCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Through the command pipeline; shared by the handler and `parley keys`. */
export async function executeApiKeyCommand(
  pipeline: CommandPipeline,
  keyId: string,
  command: ApiKeyCommand,
  context: CommandContext,
): Promise<ApiKeyCommandResult> {
  const { events, state, appended } = await pipeline.handle(apiKeyDecider, streams.apiKey(keyId), command, context);
  return { keyId, written: events.length, position: appended ? appended.position.toString() : null, state };
}

@CommandHandler(ExecuteApiKeyCommand)
export class ExecuteApiKeyCommandHandler implements ICommandHandler<ExecuteApiKeyCommand, ApiKeyCommandResult> {
  constructor(private readonly pipeline: CommandPipeline) {}

  execute({ keyId, command, context }: ExecuteApiKeyCommand): Promise<ApiKeyCommandResult> {
    return executeApiKeyCommand(this.pipeline, keyId, command, context);
  }
}
