import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideApiKey, evolveApiKey, type ApiKeyCommand, type ApiKeyState } from '../../../libs/domain/api-keys/api-key.decider';
import { streams } from '../../../libs/domain/streams';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { ApiKeyStates } from './api-key-states';

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

/** Read, decide, append at the expected revision; shared by the handler and `parley keys`. */
export function executeApiKeyCommand(
  keys: ApiKeyStates,
  writer: EventWriter,
  keyId: string,
  command: ApiKeyCommand,
  context: CommandContext,
): Promise<ApiKeyCommandResult> {
  return writer.retrying(async () => {
    const { state, revision } = await keys.load(keyId);
    const events = decideApiKey(command, state);
    if (events.length === 0) return { keyId, written: 0, position: null, state };
    const result = await writer.append(streams.apiKey(keyId), events, revision ?? 'no_stream', context);
    return { keyId, written: events.length, position: result.position.toString(), state: events.reduce(evolveApiKey, state) };
  });
}

@CommandHandler(ExecuteApiKeyCommand)
export class ExecuteApiKeyCommandHandler implements ICommandHandler<ExecuteApiKeyCommand, ApiKeyCommandResult> {
  constructor(
    private readonly keys: ApiKeyStates,
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ keyId, command, context }: ExecuteApiKeyCommand): Promise<ApiKeyCommandResult> {
    return this.locks.run(streams.apiKey(keyId), () => executeApiKeyCommand(this.keys, this.writer, keyId, command, context));
  }
}
