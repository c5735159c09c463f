import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { executeApiKeyCommand, type ApiKeyCommandResult } from '../../../libs/api-keys/api-key-operations';
import type { ApiKeyCommand } from '../../../libs/domain/api-keys/api-key.decider';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';

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

@CommandHandler(ExecuteApiKeyCommand)
export class ExecuteApiKeyCommandHandler implements ICommandHandler<ExecuteApiKeyCommand, ApiKeyCommandResult> {
  constructor(private readonly pipeline: CommandPipeline) {}

  execute({ keyId, command, context }: ExecuteApiKeyCommand): Promise<ApiKeyCommandResult> {
    return executeApiKeyCommand(this.pipeline, keyId, command, context);
  }
}
