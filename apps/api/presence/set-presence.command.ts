import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PresenceDevice, PresenceStatus } from '../../../libs/domain/events';
import { decidePresence, evolvePresence, type PresenceState } from '../../../libs/domain/presence/presence.decider';
import { streams } from '../../../libs/domain/streams';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { EventWriter } from '../../../libs/command-pipeline/event-writer';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { UserStates } from '../users/user-states';
import { PresenceStates } from './presence-states';

export interface PresenceChange {
  readonly status: string;
  readonly message: string | null;
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
    private readonly writer: EventWriter,
    private readonly locks: KeyedMutex,
  ) {}

  execute({ userId, change, context }: SetPresenceCommand): Promise<PresenceResult> {
    const stream = streams.presence(userId);
    return this.locks.run(stream, () =>
      this.writer.retrying(async () => {
        const [user, { state, revision }] = await Promise.all([this.users.load(userId), this.presence.load(userId)]);
        const events = decidePresence(
          {
            type: 'SetPresence',
            userId,
            account: user.state.status,
            status: change.status,
            message: change.message,
            device: change.device === undefined ? state.device : change.device,
            actor: context.actor,
            now: new Date().toISOString(),
          },
          state,
        );
        if (events.length === 0) return { ...ownPresenceView(userId, state), written: 0, position: null };
        const result = await this.writer.append(stream, events, revision ?? 'no_stream', context);
        const next = events.reduce(evolvePresence, state);
        this.presence.remember(userId, next, result.nextRevision);
        return {
          ...ownPresenceView(userId, next),
          written: events.length,
          position: result.position.toString(),
        };
      }),
    );
  }
}
