import { Inject, Injectable } from '@nestjs/common';
import { aliasOf } from '../../../../libs/domain/aliases';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { streams } from '../../../../libs/domain/streams';
import { normalizeEmail } from '../../../../libs/domain/users/email';
import type { ActiveRoom } from '../../../../libs/domain/rooms/room.decider';
import type { EventStore } from '../../../../libs/event-store/event-store.port';
import type { Doc, ReadStore } from '../../../../libs/read-store/read-store.port';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../../infrastructure/tokens';
import type { ParleyConfig } from '../../../../libs/config/config';
import { RoomStates } from '../../rooms/room-states';
import { EmailAccounts } from '../../users/email-accounts';
import { UserStates } from '../../users/user-states';

/** A user as Qiscus shows one: by email, with the display name as `username`. */
export interface QiscusUser {
  readonly userId: string;
  /** The user's integer id: the log position of their registration. */
  readonly id: number;
  readonly email: string;
  readonly username: string;
  readonly avatarUrl: string;
}

/** Qiscus' timestamps: ISO 8601 to the second, in UTC. */
export const qiscusTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');
/** What Qiscus answers for a room without comments. */
export const NO_TIME = '0001-01-01T00:00:00Z';

/**
 * What the Qiscus surfaces need to translate: users by email, rooms by their
 * integer alias, and users as Qiscus renders them. Reads the log's folds for
 * users and rooms (fresh, cached) and the rooms read model for aliases.
 */
@Injectable()
export class QiscusDirectory {
  private readonly userAliases = new Map<string, number>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
    private readonly emails: EmailAccounts,
    private readonly users: UserStates,
    private readonly rooms: RoomStates,
  ) {}

  /** The active user with this address; 404 naming `field` otherwise (a malformed address is a 400). */
  async userByEmail(input: unknown, field: string): Promise<QiscusUser> {
    const email = typeof input === 'string' ? normalizeEmail(input) : null;
    if (email === null) {
      throw validationError('USER.EMAIL_INVALID', `${field} must be an email address`, [{ field, reason: 'must be an email address' }]);
    }
    const user = await this.emails.find(email);
    if (user === null) {
      throw notFound('USER.NOT_FOUND', `No user with email ${email}`);
    }
    return this.user(user.userId);
  }

  /** A user by id, as Qiscus renders one (a removed or unknown account keeps its id only). */
  async user(userId: string): Promise<QiscusUser> {
    const [{ state }, id] = await Promise.all([this.users.load(userId), this.userAlias(userId)]);
    if (state.status === 'absent') return { userId, id, email: '', username: '', avatarUrl: '' };
    return {
      userId,
      id,
      email: state.email ?? '',
      username: state.displayName ?? state.username ?? '',
      avatarUrl: state.photoUrl ?? '',
    };
  }

  /** The room an alias names; 404 when none does (an alias past the log's head included). */
  async roomByAlias(alias: number): Promise<ActiveRoom & { readonly alias: number }> {
    const head = await this.store.headPosition();
    if (head === null || BigInt(alias) > aliasLimit(head)) throw roomNotFound(alias);
    // The alias is the position of the room's creation: once the read model passed it, the room is there.
    const wait = await this.gate.waitForReadModels(BigInt(alias), this.config.minPositionWaitMs, ['rooms']);
    if (!wait.reached) throw roomNotFound(alias);
    const [doc] = await this.readStore.find('rooms', { filter: { alias }, limit: 1 });
    if (!doc) throw roomNotFound(alias);
    const { state } = await this.rooms.load(doc.id);
    if (state.status !== 'active') throw roomNotFound(alias);
    return { ...state, alias };
  }

  /** A room's alias from the log: its first event's position. */
  async roomAlias(roomId: string): Promise<number> {
    const [first] = await this.store.readStream(streams.room(roomId), { maxCount: 1 });
    if (!first) throw new Error(`room ${roomId} has no stream`);
    return aliasOf(first.position);
  }

  /** The rooms read model's document of a room (name, last comment), if projected. */
  roomDoc(roomId: string): Promise<Doc | null> {
    return this.readStore.get('rooms', roomId);
  }

  private async userAlias(userId: string): Promise<number> {
    const known = this.userAliases.get(userId);
    if (known !== undefined) return known;
    const [first] = await this.store.readStream(streams.user(userId), { maxCount: 1 });
    const alias = first ? aliasOf(first.position) : 0;
    if (first) {
      this.userAliases.set(userId, alias);
      if (this.userAliases.size > 50_000) this.userAliases.delete(this.userAliases.keys().next().value!);
    }
    return alias;
  }
}

/** The largest alias a head position can have made. */
const aliasLimit = (head: bigint): bigint => BigInt(aliasOf(head));

const roomNotFound = (alias: number) => notFound('ROOM.NOT_FOUND', `No room with id ${alias}`);
