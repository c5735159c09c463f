import { Inject, Injectable } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { DomainError } from '../../../libs/domain/errors';
import { streams } from '../../../libs/domain/streams';
import { tokenFamilyDecider, type RevocationReason } from '../../../libs/domain/tokens/token-family.decider';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import type { SessionDoc } from '../../../projections/sessions.projection';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { TokenFamilyStates } from './token-family-states';

/** The most sign-ins a user sees listed (and a password change ends in one go). */
export const SESSIONS_LIMIT = 1000;

export interface EndedSession {
  /** Events written: 0 when the sign-in had ended already. */
  readonly written: number;
  readonly position: string | null;
}

/**
 * A user's sign-ins: listed from the `sessions` read model, ended through the
 * token-family decider on each family's own stream. The guard sees an ending
 * made by this process on the very next request (EventWriter notes the
 * append, which bypasses the guard's one-second trust).
 */
@Injectable()
export class UserSessions {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
    private readonly families: TokenFamilyStates,
    private readonly pipeline: CommandPipeline,
  ) {}

  /**
   * The user's live sign-ins, newest first, once the read model holds every
   * sign-in the log held at `upTo` (by default its head now): a sign-in that
   * answered before this call is listed.
   */
  async list(userId: string, upTo?: Position): Promise<SessionDoc[]> {
    await this.caughtUp(upTo ?? (await this.store.headPosition()));
    const now = new Date().toISOString();
    const docs = (await this.readStore.find('sessions', {
      filter: { userId, active: true },
      sort: [{ field: 'createdAt', direction: 'desc' }],
      limit: SESSIONS_LIMIT,
    })) as SessionDoc[];
    // An expired family can no longer refresh: it is not a sign-in any more.
    return docs.filter((doc) => doc.expiresAt === undefined || doc.expiresAt > now);
  }

  /** Ends one sign-in of `userId`; another user's or an unknown one is a 404 SESSION.NOT_FOUND. */
  async end(userId: string, familyId: string, reason: Extract<RevocationReason, 'session' | 'password'>, context: CommandContext): Promise<EndedSession> {
    const { events, appended } = await this.pipeline.handle(
      tokenFamilyDecider,
      streams.tokenFamily(familyId),
      () => ({ type: 'EndTokenFamily', userId, reason, now: new Date().toISOString() }) as const,
      context,
      { states: { load: () => this.families.load(familyId) } },
    );
    return { written: events.length, position: appended === null ? null : appended.position.toString() };
  }

  /**
   * After a password change at `changedAt`: every other sign-in of the user
   * ends (all of them when `keep` is null, an administrator's reset).
   * Idempotent, so a retried change finishes what a failed one started.
   */
  async endAllBut(userId: string, keep: string | null, changedAt: Position, context: CommandContext): Promise<number> {
    let ended = 0;
    for (const session of await this.list(userId, changedAt)) {
      if (session.id === keep) continue;
      ended += (await this.end(userId, session.id, 'password', context)).written;
    }
    return ended;
  }

  private async caughtUp(position: Position | null): Promise<void> {
    if (position === null || (await this.gate.waitFor(position, this.config.minPositionWaitMs))) return;
    throw new DomainError(
      'READ_MODEL.BEHIND',
      'unavailable',
      `The sign-ins read model did not reach position ${position.toString()} within ${this.config.minPositionWaitMs} ms; try again`,
      undefined,
      1,
    );
  }
}
