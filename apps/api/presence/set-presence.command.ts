import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PresenceDevice, PresenceStatus } from '../../../libs/domain/events';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { presenceDecider, type PresenceState, type SetPresence } from '../../../libs/domain/presence/presence.decider';
import { streams } from '../../../libs/domain/streams';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { UserStates } from '../users/user-states';
import { PresenceStates } from './presence-states';

export interface PresenceChange {
  /** `undefined` keeps the current status (an administrator's partial update). */
  readonly status: string | undefined;
  /** `undefined` keeps the current message (an administrator's partial update). */
  readonly message: string | null | undefined;
  /** `undefined` keeps the device the user's client set (administrators set status and message only). */
  readonly device: PresenceDevice | null | undefined;
}

/** The presence as its owner (or an administrator) sees it, after the command. */
export interface OwnPresenceView {
  readonly userId: string;
  readonly status: PresenceStatus;
  readonly message: string | null;
  readonly device: PresenceDevice | null;
  readonly lastSeenAt: string | null;
  readonly changedAt: string | null;
}

export interface PresenceResult extends OwnPresenceView {
  /** Events written: 0 when the update would have changed nothing (offline or invisible, same presence). */
  readonly written: number;
  /** Position of the event written, or null when nothing was. */
  readonly position: string | null;
}

export const ownPresenceView = (userId: string, state: PresenceState): OwnPresenceView => ({
  userId,
  status: state.status,
  message: state.message,
  device: state.device,
  lastSeenAt: state.lastSeenAt,
  changedAt: state.changedAt,
});

/** Sets a user's presence: by the user (PUT /v1/me/presence) or by an administrator. */
export class SetPresenceCommand extends Command<PresenceResult> {
  constructor(
    readonly userId: string,
    readonly change: PresenceChange,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SetPresenceCommand)
export class SetPresenceHandler implements ICommandHandler<SetPresenceCommand, PresenceResult> {
  constructor(
    private readonly users: UserStates,
    private readonly presence: PresenceStates,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ userId, change, context }: SetPresenceCommand): Promise<PresenceResult> {
    const { events, state, loaded, appended } = await this.pipeline.handle(
      presenceDecider,
      streams.presence(userId),
      async ({ state }): Promise<SetPresence> => ({
        type: 'SetPresence',
        userId,
        account: (await this.users.load(userId)).state.status,
        status: change.status ?? state.status,
        message: change.message === undefined ? state.message : change.message,
        device: change.device === undefined ? state.device : change.device,
        actor: context.actor,
        now: new Date().toISOString(),
      }),
      context,
      { states: { load: () => this.presence.load(userId) } },
    );
    if (!appended) return { ...ownPresenceView(userId, loaded.state), written: 0, position: null };
    this.presence.remember(userId, state, appended.nextRevision);
    return {
      ...ownPresenceView(userId, state),
      written: events.length,
      position: appended.position.toString(),
    };
  }
}
