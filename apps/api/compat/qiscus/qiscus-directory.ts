import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { notFound, validationError } from '../../../../libs/domain/errors';
import { streams } from '../../../../libs/domain/streams';
import { normalizeEmail } from '../../../../libs/domain/users/email';
import { RoomDocumentsQuery, RoomIdByAliasQuery, StreamAliasQuery, type Doc } from '../../rooms/room-lookups.queries';
import { RoomStates, type ActiveRoom } from '../../rooms/room-states';
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
    private readonly queries: QueryBus,
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
    const roomId = await this.queries.execute(new RoomIdByAliasQuery(alias));
    if (roomId === null) throw roomNotFound(alias);
    const { state } = await this.rooms.load(roomId);
    if (state.status !== 'active') throw roomNotFound(alias);
    return { ...state, alias };
  }

  /**
   * The room a Qiscus room reference names: its integer id, or its unique id
   * (`room_channel_ids`, Parley's room id). 404 when none does; `field` is
   * named when the value is neither.
   */
  async roomByReference(value: string, field: string): Promise<ActiveRoom & { readonly alias: number }> {
    if (/^\d{1,15}$/.test(value)) return this.roomByAlias(Number(value));
    if (!UUID.test(value)) throw validationError('QISCUS.INVALID_PARAMETER', `${field} must be a room id or unique id`, [{ field, reason: 'must be a room id or unique id' }]);
    const alias = await this.queries.execute(new StreamAliasQuery(streams.room(value.toLowerCase())));
    if (alias === null) throw notFound('ROOM.NOT_FOUND', `No room with unique id ${value}`);
    return this.roomByAlias(alias);
  }

  /** A room's alias from the log: its first event's position. */
  async roomAlias(roomId: string): Promise<number> {
    const alias = await this.queries.execute(new StreamAliasQuery(streams.room(roomId)));
    if (alias === null) throw new Error(`room ${roomId} has no stream`);
    return alias;
  }

  /** The rooms read model's document of a room (name, last comment), if projected. */
  async roomDoc(roomId: string): Promise<Doc | null> {
    return (await this.queries.execute(new RoomDocumentsQuery(roomId, null))).room;
  }

  private async userAlias(userId: string): Promise<number> {
    const known = this.userAliases.get(userId);
    if (known !== undefined) return known;
    const found = await this.queries.execute(new StreamAliasQuery(streams.user(userId)));
    const alias = found ?? 0;
    if (found !== null) {
      this.userAliases.set(userId, alias);
      if (this.userAliases.size > 50_000) this.userAliases.delete(this.userAliases.keys().next().value!);
    }
    return alias;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const roomNotFound = (alias: number) => notFound('ROOM.NOT_FOUND', `No room with id ${alias}`);
