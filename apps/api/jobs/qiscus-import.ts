import { Inject, Injectable } from '@nestjs/common';
import { hashPassword } from '../../../libs/auth/password';
import { emptyTail, type PostComment, type ReplyTarget, decidePostComment } from '../../../libs/domain/comments/comment.decider';
import { DomainError } from '../../../libs/domain/errors';
import type { ImportRowError, JobResource, UsernameClaimed } from '../../../libs/domain/events';
import { idFromKey } from '../../../libs/domain/ids';
import {
  checkQiscusRows,
  type QiscusCommentRow,
  type QiscusRoomRow,
  type QiscusUserRow,
} from '../../../libs/domain/jobs/qiscus-rows';
import { decideRoom, roomDecider, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { userAccountDecider, type RegisterUser } from '../../../libs/domain/users/user.decider';
import { usernameClaimDecider, type ClaimUsername } from '../../../libs/domain/users/username-claim.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { CommentLookup } from '../comments/comment-lookup';
import { CommentSequencer } from '../comments/comment-sequencer';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { checkpointName } from '../../../libs/projection/projection';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { timelineProjection } from '../../../projections/timeline.projection';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { RoomStates } from '../rooms/room-states';
import { UserStates } from '../users/user-states';

/**
 * The password hash of an imported user that came without a password: no
 * password verifies against it (it is not an scrypt record), so the user
 * cannot sign in until a password is set for them.
 */
export const UNUSABLE_PASSWORD_HASH = '!imported-without-password';

/** Ids derive from the file's content, so a second import of the same rows finds them written. */
export const importIds = {
  user: (email: string) => idFromKey('import-user', email),
  userClaimEvent: (email: string) => idFromKey('import-user-claim', email),
  userEvent: (email: string) => idFromKey('import-user-registered', email),
  /**
   * The events of an imported room: the first one's id names the Qiscus
   * UniqueId, so the room's own stream says whether it came from that row.
   */
  roomEvent: (uniqueId: string, index = 0) => (index === 0 ? idFromKey('import-room-event', uniqueId) : idFromKey('import-room-event', uniqueId, String(index))),
  groupRoom: (uniqueId: string) => idFromKey('import-room', uniqueId),
  directRoom: (a: string, b: string) => idFromKey('direct-room', ...[a, b].sort()),
  comment: (uniqueId: string) => idFromKey('import-comment', uniqueId),
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Posts handed to the comment sequencer at once; it groups those of one room into one append. */
const COMMENT_WINDOW = 512;
const HASH_WINDOW = 8;
/** Comment ids looked up in a room at once. */
const LOOKUP_WINDOW = 500;
const LOG_PAGE = 1_000;

export type ImportOutcome =
  | { readonly ok: true; readonly written: number; readonly skipped: number }
  | { readonly ok: false; readonly errors: readonly ImportRowError[]; readonly written: number };

type Progress = (percentage: number) => void;

interface Plan<T> {
  readonly errors: ImportRowError[];
  readonly writes: T[];
  skipped: number;
}

type UserWrite = { readonly row: QiscusUserRow; readonly userId: string; readonly claimed: boolean };
type RoomWrite = { readonly row: QiscusRoomRow; readonly roomId: string; readonly creatorId: string; readonly others: readonly string[] };
type CommentWrite = { readonly row: QiscusCommentRow; readonly command: PostComment };

/**
 * Imports Qiscus-format users, rooms and comments as Parley's own events.
 * Every row is checked first (shape, duplicates, then what must exist); a
 * file with any refused row writes nothing. Rows whose content key was
 * imported before are skipped, so importing a file twice adds nothing and a
 * job cut short by a crash resumes when it runs again. Every write goes
 * through the one write path (CommandPipeline: a decider on one stream, one
 * append per command, again on a conflict); event ids derive from the rows.
 */
@Injectable()
export class QiscusImporter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly pipeline: CommandPipeline,
    private readonly users: UserStates,
    private readonly rooms: RoomStates,
    private readonly sequencer: CommentSequencer,
    private readonly comments: CommentLookup,
  ) {}

  async run(resource: JobResource, raw: readonly unknown[], context: CommandContext, progress: Progress, signal: AbortSignal): Promise<ImportOutcome> {
    switch (resource) {
      case 'users':
        return this.runUsers(raw, context, progress, signal);
      case 'rooms':
        return this.runRooms(raw, context, progress, signal);
      case 'comments':
        return this.runComments(raw, context, progress, signal);
    }
  }

  // ------------------------------------------------------------------ users

  private async runUsers(raw: readonly unknown[], context: CommandContext, progress: Progress, signal: AbortSignal): Promise<ImportOutcome> {
    const checked = checkQiscusRows('users', raw);
    const plan: Plan<UserWrite> = { errors: [...checked.errors], writes: [], skipped: 0 };
    for (const [index, row] of checked.rows.entries()) {
      if (index % 200 === 0) {
        signal.throwIfAborted();
        progress(Math.floor((index / raw.length) * 50));
      }
      const userId = importIds.user(row.email);
      const claim = await this.claimOf(row.email);
      if (claim && claim !== userId) {
        plan.errors.push({ row: row.row, field: 'Email', reason: 'is already registered' });
        continue;
      }
      const { state } = await this.users.load(userId);
      if (state.status === 'registered') plan.skipped++;
      else plan.writes.push({ row, userId, claimed: claim === userId });
    }
    if (plan.errors.length > 0) return failed(plan.errors, 0);

    let written = 0;
    for (let start = 0; start < plan.writes.length; start += HASH_WINDOW) {
      signal.throwIfAborted();
      const window = plan.writes.slice(start, start + HASH_WINDOW);
      const hashes = await Promise.all(window.map((w) => (w.row.password ? hashPassword(w.row.password) : UNUSABLE_PASSWORD_HASH)));
      for (const [k, write] of window.entries()) {
        const refused = await this.writeUser(write, hashes[k]!, context);
        if (refused) return failed([refused], written);
        written++;
      }
      progress(50 + Math.floor(((start + window.length) / plan.writes.length) * 50));
    }
    return { ok: true, written, skipped: plan.skipped };
  }

  private async claimOf(email: string): Promise<string | null> {
    const [stored] = await this.store.readStream(streams.username(email), { maxCount: 1 });
    return stored ? (stored.data as UsernameClaimed['data']).userId : null;
  }

  private async writeUser({ row, userId, claimed }: UserWrite, passwordHash: string, context: CommandContext): Promise<ImportRowError | null> {
    const register: RegisterUser = {
      type: 'RegisterUser',
      userId,
      username: row.email,
      displayName: row.name,
      passwordHash,
      now: row.createdAt ?? new Date().toISOString(),
    };
    if (!claimed) {
      // A claim someone made between the check and this write is theirs: the claim's holder says whose it is.
      const claim: ClaimUsername = { type: 'ClaimUsername', username: row.email, userId, now: new Date().toISOString() };
      const takenMeanwhile: ImportRowError = { row: row.row, field: 'Email', reason: 'was registered by someone else during the import' };
      try {
        const { state } = await this.pipeline.handle(usernameClaimDecider, streams.username(row.email), claim, context, {
          ids: () => [importIds.userClaimEvent(row.email)],
        });
        if (state.holder?.userId !== userId) return takenMeanwhile;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'USER.USERNAME_TAKEN') return takenMeanwhile;
        throw error;
      }
    }
    const { state } = await this.users.load(userId);
    if (state.status === 'registered') return null;
    await this.pipeline.handle(userAccountDecider, streams.user(userId), register, context, { ids: () => [importIds.userEvent(row.email)] });
    return null;
  }

  // ------------------------------------------------------------------ rooms

  private async runRooms(raw: readonly unknown[], context: CommandContext, progress: Progress, signal: AbortSignal): Promise<ImportOutcome> {
    const checked = checkQiscusRows('rooms', raw);
    const plan: Plan<RoomWrite> = { errors: [...checked.errors], writes: [], skipped: 0 };
    const planned = new Map<string, number>();
    const userIds = new Map<string, string | null>();
    const userIdOf = async (email: string) => {
      if (!userIds.has(email)) userIds.set(email, (await this.users.byUsername(email))?.userId ?? null);
      return userIds.get(email)!;
    };
    for (const [index, row] of checked.rows.entries()) {
      if (index % 200 === 0) {
        signal.throwIfAborted();
        progress(Math.floor((index / raw.length) * 50));
      }
      if (row.kind !== 'direct' && (await this.isImportedRoom(row.uniqueId, importIds.groupRoom(row.uniqueId)))) {
        plan.skipped++;
        continue;
      }
      const errors: ImportRowError[] = [];
      const creatorId = await userIdOf(row.creatorEmail);
      if (creatorId === null) errors.push({ row: row.row, field: 'CreatorEmail', reason: `no user with email ${row.creatorEmail}` });
      const others: string[] = [];
      const missing: string[] = [];
      for (const email of row.participantEmails) {
        const id = await userIdOf(email);
        if (id === null) missing.push(email);
        else if (id !== creatorId) others.push(id);
      }
      if (missing.length > 0) errors.push({ row: row.row, field: 'ParticipantEmails', reason: `no user with email ${missing.join(', ')}` });
      if (errors.length > 0 || creatorId === null) {
        plan.errors.push(...errors);
        continue;
      }
      const roomId = row.kind === 'direct' ? importIds.directRoom(creatorId, others[0]!) : importIds.groupRoom(row.uniqueId);
      if (row.kind === 'direct' && (await this.isImportedRoom(row.uniqueId, roomId))) {
        plan.skipped++;
        continue;
      }
      const earlier = planned.get(roomId);
      if (earlier !== undefined) {
        plan.errors.push({ row: row.row, field: 'ParticipantEmails', reason: `row ${earlier} already makes the single room of these two users` });
        continue;
      }
      const { state } = await this.rooms.load(roomId);
      if (state.status === 'active') {
        plan.errors.push({
          row: row.row,
          field: row.kind === 'direct' ? 'ParticipantEmails' : 'UniqueId',
          reason:
            row.kind === 'direct'
              ? `these users already have a single room (${roomId}); import its comments with RoomUniqueId ${roomId}`
              : 'a room with this unique id exists already',
        });
        continue;
      }
      const refused = refusal(() => decideRoom(createRoom(row, roomId, creatorId, others), state), row.row, 'ParticipantEmails');
      if (refused) {
        plan.errors.push(refused);
        continue;
      }
      planned.set(roomId, row.row);
      plan.writes.push({ row, roomId, creatorId, others });
    }
    if (plan.errors.length > 0) return failed(plan.errors, 0);

    let written = 0;
    for (const [index, write] of plan.writes.entries()) {
      if (index % 100 === 0) {
        signal.throwIfAborted();
        progress(50 + Math.floor((index / plan.writes.length) * 50));
      }
      const { state } = await this.rooms.load(write.roomId);
      if (state.status === 'active') {
        if (await this.isImportedRoom(write.row.uniqueId, write.roomId)) continue;
        return failed([{ row: write.row.row, field: 'UniqueId', reason: 'the room was created by someone else during the import' }], written);
      }
      await this.pipeline.handle(roomDecider, streams.room(write.roomId), createRoom(write.row, write.roomId, write.creatorId, write.others), context, {
        ids: (events) => events.map((_, i) => importIds.roomEvent(write.row.uniqueId, i)),
      });
      written++;
    }
    return { ok: true, written, skipped: plan.skipped };
  }

  // ------------------------------------------------------------------ comments

  private async runComments(raw: readonly unknown[], context: CommandContext, progress: Progress, signal: AbortSignal): Promise<ImportOutcome> {
    const checked = checkQiscusRows('comments', raw);
    const plan: Plan<CommentWrite> = { errors: [...checked.errors], writes: [], skipped: 0 };
    /** Comments of this file by UniqueId, written now or before, with their room. */
    const inFile = new Map<string, { commentId: string; roomId: string }>();
    const roomIds = new Map<string, string | null>();
    const userIds = new Map<string, string | null>();
    const roomStates = new Map<string, RoomState>();
    const userIdOf = async (email: string) => {
      if (!userIds.has(email)) userIds.set(email, (await this.users.byUsername(email))?.userId ?? null);
      return userIds.get(email)!;
    };
    const roomIdOf = async (uniqueId: string) => {
      if (!roomIds.has(uniqueId)) roomIds.set(uniqueId, await this.resolveRoom(uniqueId));
      return roomIds.get(uniqueId)!;
    };
    const stateOf = async (roomId: string) => {
      if (!roomStates.has(roomId)) roomStates.set(roomId, (await this.rooms.load(roomId)).state);
      return roomStates.get(roomId)!;
    };
    // Rows imported before, found in their rooms a window of ids at a time.
    const byRoom = new Map<string, string[]>();
    for (const row of checked.rows) {
      const roomId = await roomIdOf(row.roomUniqueId);
      if (roomId !== null) byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), importIds.comment(row.uniqueId)]);
    }
    const stored = new Set<string>();
    for (const [roomId, ids] of byRoom) {
      for (let start = 0; start < ids.length; start += LOOKUP_WINDOW) {
        signal.throwIfAborted();
        for (const id of (await this.comments.find(roomId, ids.slice(start, start + LOOKUP_WINDOW))).keys()) stored.add(id);
      }
    }
    for (const [index, row] of checked.rows.entries()) {
      if (index % 200 === 0) {
        signal.throwIfAborted();
        progress(Math.floor((index / raw.length) * 50));
      }
      const commentId = importIds.comment(row.uniqueId);
      const roomId = await roomIdOf(row.roomUniqueId);
      if (roomId !== null && stored.has(commentId)) {
        inFile.set(row.uniqueId, { commentId, roomId });
        plan.skipped++;
        continue;
      }
      const errors: ImportRowError[] = [];
      if (roomId === null) errors.push({ row: row.row, field: 'RoomUniqueId', reason: 'no room with this unique id' });
      const senderId = await userIdOf(row.creatorEmail);
      if (senderId === null) errors.push({ row: row.row, field: 'CreatorEmail', reason: `no user with email ${row.creatorEmail}` });
      let replyTo: string | null = null;
      let target: ReplyTarget | null = null;
      if (row.parentUniqueId !== null) {
        const parent = inFile.get(row.parentUniqueId) ?? (await this.resolveStoredComment(row.parentUniqueId, roomId));
        if (parent === null) {
          errors.push({ row: row.row, field: 'ParentCommentUniqueId', reason: 'no comment with this unique id earlier in the file or already stored' });
        } else {
          replyTo = parent.commentId;
          target = { roomId: parent.roomId };
        }
      }
      if (errors.length > 0 || roomId === null || senderId === null) {
        plan.errors.push(...errors);
        continue;
      }
      const command: PostComment = {
        type: 'PostComment',
        commentId,
        roomId,
        actor: senderId,
        text: row.message,
        commentType: row.commentType,
        payload: row.payload,
        replyTo,
        clientId: row.uniqueId,
        now: row.createdAt ?? new Date().toISOString(),
      };
      const state = await stateOf(roomId);
      const rowError = refusal(() => decidePostComment(command, state, emptyTail, target), row.row, 'CreatorEmail');
      if (rowError) {
        plan.errors.push(rowError);
        continue;
      }
      inFile.set(row.uniqueId, { commentId, roomId });
      plan.writes.push({ row, command });
    }
    if (plan.errors.length > 0) return failed(plan.errors, 0);

    let written = 0;
    for (let start = 0; start < plan.writes.length; start += COMMENT_WINDOW) {
      signal.throwIfAborted();
      const window = plan.writes.slice(start, start + COMMENT_WINDOW);
      // Handed over in file order: the sequencer keeps each room's order, so seq stays dense and parents come first.
      const results = await Promise.allSettled(window.map((w) => this.sequencer.post(w.command, context, true)));
      for (const [k, result] of results.entries()) {
        if (result.status === 'rejected') {
          const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
          return failed([{ row: window[k]!.row.row, field: '(row)', reason: `could not be written: ${reason}` }], written + k);
        }
      }
      written += window.length;
      progress(50 + Math.floor(((start + window.length) / plan.writes.length) * 50));
    }
    return { ok: true, written, skipped: plan.skipped };
  }

  /** A Qiscus room unique id: a room this importer created, or a Parley room id (e.g. from an export). */
  private async resolveRoom(uniqueId: string): Promise<string | null> {
    const group = importIds.groupRoom(uniqueId);
    if (await this.isImportedRoom(uniqueId, group)) return group;
    const direct = await this.importedDirectRoom(uniqueId);
    if (direct !== null) return direct;
    if (!UUID.test(uniqueId)) return null;
    const { state } = await this.rooms.load(uniqueId.toLowerCase());
    return state.status === 'active' ? state.roomId : null;
  }

  /** Whether `roomId` was created by importing the room row with this UniqueId: its stream's first event says. */
  private async isImportedRoom(uniqueId: string, roomId: string): Promise<boolean> {
    const [first] = await this.store.readStream(streams.room(roomId), { maxCount: 1 });
    return first?.id === importIds.roomEvent(uniqueId);
  }

  /**
   * An imported single room's id depends on its two users, not on its
   * UniqueId. Its first event (id from the UniqueId) is a system item of the
   * timeline read model; what the read model has not seen yet is the log
   * after its checkpoint.
   */
  private async importedDirectRoom(uniqueId: string): Promise<string | null> {
    const eventId = importIds.roomEvent(uniqueId);
    const checkpoint = await this.readStore.getCheckpoint(checkpointName(timelineProjection));
    const doc = await this.readStore.get('timeline', eventId);
    if (doc?.['kind'] === 'system' && typeof doc['roomId'] === 'string') {
      return (await this.isImportedRoom(uniqueId, doc['roomId'])) ? doc['roomId'] : null;
    }
    let after = checkpoint === null ? undefined : BigInt(checkpoint);
    for (;;) {
      const events = await this.store.readAll({ after, maxCount: LOG_PAGE });
      const created = events.find((event) => event.id === eventId && event.type === 'RoomCreated');
      if (created) return (created.data as { roomId: string }).roomId;
      if (events.length < LOG_PAGE) return null;
      after = events[events.length - 1]!.position;
    }
  }

  /**
   * A parent outside the file: a comment imported before, or a Parley comment
   * id, in the child's room. One of another room is named as such when the
   * timeline read model knows it.
   */
  private async resolveStoredComment(uniqueId: string, roomId: string | null): Promise<{ commentId: string; roomId: string } | null> {
    const ids = [importIds.comment(uniqueId), ...(UUID.test(uniqueId) ? [uniqueId.toLowerCase()] : [])];
    if (roomId !== null) {
      const found = await this.comments.find(roomId, ids);
      for (const id of ids) if (found.has(id)) return { commentId: id, roomId };
    }
    for (const doc of await this.readStore.getMany('timeline', ids)) {
      if (doc['kind'] === 'comment' && typeof doc['roomId'] === 'string') return { commentId: doc.id, roomId: doc['roomId'] };
    }
    return null;
  }
}

function createRoom(row: QiscusRoomRow, roomId: string, creatorId: string, others: readonly string[]) {
  return {
    type: 'CreateRoom' as const,
    roomId,
    kind: row.kind,
    name: row.kind === 'direct' ? '' : row.name,
    topic: null,
    avatarUrl: row.kind === 'direct' ? null : row.avatarUrl,
    actor: creatorId,
    participants: others,
    now: row.createdAt ?? new Date().toISOString(),
  };
}

function failed(errors: readonly ImportRowError[], written: number): ImportOutcome {
  return { ok: false, errors: [...errors].sort((a, b) => a.row - b.row), written };
}

/** Runs a decision as a dry run; a domain refusal becomes the row's error. */
function refusal(decide: () => unknown, row: number, field: string): ImportRowError | null {
  try {
    decide();
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const replyProblem = error.code.startsWith('COMMENT.REPLY');
    if (error.code === 'COMMENT.TOO_LARGE') return { row, field: 'Message', reason: error.message };
    return {
      row,
      field: replyProblem ? 'ParentCommentUniqueId' : field,
      reason: error.code === 'ROOM.NOT_FOUND' ? 'is not a member of the room' : replyProblem ? 'names a comment of another room' : error.message,
    };
  }
}
