import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { orgDecider, type OrgCommand, type OrgState } from '../../../libs/domain/org/org.decider';
import type { OrgEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';

export interface OrgCommandResult {
  readonly events: readonly OrgEvent[];
  /** The organisation after the command. */
  readonly state: OrgState;
  /** Position of the last event written, or null when nothing was. */
  readonly position: string | null;
}

/** Any decision on the organisation: fold `org`, decide, append at the expected revision. */
export class ExecuteOrgCommand extends Command<OrgCommandResult> {
  constructor(
    readonly command: OrgCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteOrgCommand)
export class ExecuteOrgCommandHandler implements ICommandHandler<ExecuteOrgCommand, OrgCommandResult> {
  constructor(private readonly pipeline: CommandPipeline) {}

  async execute({ command, context }: ExecuteOrgCommand): Promise<OrgCommandResult> {
    const { events, state, appended } = await this.pipeline.handle(orgDecider, streams.org(), command, context);
    return { events, state, position: appended ? appended.position.toString() : null };
  }
}
