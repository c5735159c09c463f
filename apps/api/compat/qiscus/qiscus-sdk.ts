import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../../libs/config/config';
import { aliasOf } from '../../../../libs/domain/aliases';
import { notFound } from '../../../../libs/domain/errors';
import { requireEmail } from '../../../../libs/domain/users/email';
import { EmailPasswordGrantCommand } from '../../auth/email-password-grant.command';
import { ExecuteBlocksCommand } from '../../contacts/contacts.commands';
import { ListBlockedQuery } from '../../contacts/contacts.queries';
import { RefreshGrantCommand } from '../../auth/refresh-grant.command';
import { RevokeTokenCommand } from '../../auth/revoke-token.command';
import { ListCommentsQuery, type TimelineRange } from '../../comments/comments.queries';
import { DeleteCommentCommand } from '../../comments/delete-comment.command';
import { PostCommentCommand, SYSTEM_EVENT_COMMENT_TYPE } from '../../comments/post-comment.command';
import { FeedCursorPositionQuery, FeedCursorQuery } from '../../feed/feed-cursor.query';
import { FeedHeadQuery, FeedPageQuery } from '../../feed/feed-page.query';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { ClearHistoryCommand } from '../../read-state/clear-history.command';
import { MarkReadCommand } from '../../read-state/mark-read.command';
import { CreateRoomCommand } from '../../rooms/create-room.command';
import { CommentBySeqQuery, CommentsByClientIdQuery, TimelineItemsByAliasQuery, TimelineItemsQuery, type Doc } from '../../rooms/room-lookups.queries';
import { RoomReceiptsQuery } from '../../read-state/receipts.query';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { ListMyRoomsQuery, UnreadQuery, type Page } from '../../rooms/rooms.queries';
import type { MyRoomView } from '../../rooms/room-views';
import type { ActiveRoom } from '../../rooms/room-states';
import { EmailAccounts } from '../../users/email-accounts';
import { ExecuteProfileCommand } from '../../users/profile.command';
import { NO_TIME, QiscusDirectory, qiscusTime, type QiscusUser } from './qiscus-directory';
import { QiscusInput, invalid } from './qiscus-input';
import { QiscusRest } from './qiscus-rest';
import { attachmentsOf } from '../../comments/comment-views';
import { AttachmentFiles, type AttachmentFile } from '../../media/attachment-files';
import { qiscusMessageOf } from '../../webhooks/webhook-payloads';

/** A comment as the client SDK reads one (sync, load_comments, rooms, post_comment). */
export interface QiscusSdkComment {
  readonly id: number;
  readonly comment_before_id: number;
  readonly message: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly extras: Record<string, unknown>;
  readonly email: string;
  readonly user_id: string;
  readonly username: string;
  readonly user_avatar_url: string;
  readonly user_extras: Record<string, unknown>;
  readonly room_id: number;
  readonly topic_id: number;
  readonly room_name: string;
  readonly room_type: 'group' | 'single';
  readonly chat_type: 'group' | 'single';
  readonly unique_temp_id: string;
  readonly unique_id: string;
  readonly timestamp: string;
  readonly unix_timestamp: number;
  readonly unix_nano_timestamp: string;
  /** `read` once every other member who shares read receipts read it (delivery Parley does not keep). */
  readonly status: 'sent' | 'read';
  readonly is_deleted: boolean;
  readonly is_public_channel: false;
  readonly disable_link_preview: false;
}

type Room = ActiveRoom & { readonly alias: number };

/** Comments a room answer carries, and a sync page at most. */
const ROOM_COMMENTS = 20;
const SYNC_LIMIT = 100;
/** Rooms a user_rooms page holds at most. */
const ROOMS_LIMIT = 100;

/**
 * The Qiscus client SDK's API (`/api/v2/sdk/*`) translated onto Parley: the
 * SDK's sign-in is a Parley sign-in by email and password (its token is a
 * Parley access token), rooms and comments are named by their integer
 * aliases, and its HTTP sync reads Parley's feed in pages (FeedPageQuery),
 * since Parley runs no MQTT broker. No rule lives here.
 */
@Injectable()
export class QiscusSdk {
  /** The last position this process wrote per user: that user's next read waits for it (read-your-writes without headers). */
  private readonly written = new Map<string, bigint>();

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly directory: QiscusDirectory,
    private readonly emails: EmailAccounts,
    private readonly rest: QiscusRest,
    private readonly gate: ReadModelGate,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly files: AttachmentFiles,
  ) {}

  appConfig() {
    return {
      base_url: '',
      broker_lb_url: '',
      broker_url: '',
      enable_event_report: false,
      enable_realtime: false,
      enable_realtime_check: false,
      enable_sync: true,
      enable_sync_event: true,
      auto_refresh_token: false,
      extras: '',
      sync_interval: this.config.qiscus?.syncIntervalMs ?? 5000,
      sync_on_connect: this.config.qiscus?.syncIntervalMs ?? 5000,
    };
  }

  /**
   * Signs in by email and password (`password` is the SDK's user key); an
   * address nobody holds is registered first. A name or avatar that differs
   * from the account's is updated once the password matched.
   */
  async loginOrRegister(input: QiscusInput, request: CommandContext) {
    const email = requireEmail(input.optionalString('email', 254) ?? '', 'email');
    const password = input.string('password', 200);
    const username = input.optionalString('username', 200) ?? email.slice(0, email.indexOf('@'));
    const avatarUrl = input.optionalString('avatar_url', 2048);
    if ((await this.emails.find(email)) === null) {
      const created = await this.emails.register({ email, password, displayName: username }, request);
      this.noteWrite(created.user.userId, created.position);
    }
    const signedIn = await this.commands.execute(new EmailPasswordGrantCommand(email, password, request));
    const userId = signedIn.userId;
    const acting = { ...request, actor: userId };
    const current = await this.directory.user(userId);
    const now = new Date().toISOString();
    if (current.username !== username) {
      const changed = await this.commands.execute(new ExecuteProfileCommand(userId, { type: 'UpdateDisplayName', actor: userId, displayName: username, now }, acting));
      this.noteWrite(userId, changed.position);
    }
    if (avatarUrl !== null && current.avatarUrl !== avatarUrl) {
      const changed = await this.commands.execute(new ExecuteProfileCommand(userId, { type: 'SetPhoto', actor: userId, url: avatarUrl, now }, acting));
      this.noteWrite(userId, changed.position);
    }
    const head = await this.queries.execute(new FeedHeadQuery());
    const cursor = head === null ? 0 : await this.queries.execute(new FeedCursorQuery(head));
    return {
      user: {
        ...(await this.profile(userId)),
        token: signedIn.access_token,
        refresh_token: signedIn.refresh_token,
        token_expires_at: new Date(Date.now() + signedIn.expires_in * 1000).toISOString(),
        // Sync starts here: what came before the sign-in the client loads with the rooms.
        last_comment_id: cursor,
        last_sync_event_id: cursor,
        pn_android_configured: false,
        pn_ios_configured: false,
        rtKey: '',
        app: { code: this.config.qiscus?.appId ?? '', id: 0, id_str: '0', name: this.config.qiscus?.appId ?? '' },
      },
    };
  }

  async refreshToken(input: QiscusInput, request: CommandContext) {
    const pair = await this.commands.execute(new RefreshGrantCommand(input.string('refresh_token', 4096), request));
    return {
      token: pair.access_token,
      refresh_token: pair.refresh_token,
      token_expires_at: new Date(Date.now() + pair.expires_in * 1000).toISOString(),
    };
  }

  /** Ends the sign-in the token belongs to. */
  async logout(token: string, request: CommandContext) {
    await this.commands.execute(new RevokeTokenCommand(token, request));
    return {};
  }

  async profile(userId: string) {
    const user = await this.directory.user(userId);
    return {
      id: user.id,
      id_str: String(user.id),
      email: user.email,
      username: user.username,
      avatar_url: user.avatarUrl,
      avatar: { avatar: { url: user.avatarUrl } },
      extras: {},
    };
  }

  /** Changes the caller's name and avatar (`my_profile`, PATCH); `extras` are not kept. */
  async updateProfile(input: QiscusInput, request: CommandContext) {
    const name = input.optionalString('name', 200);
    const avatarUrl = input.optionalString('avatar_url', 2048);
    const current = await this.directory.user(request.actor);
    const now = new Date().toISOString();
    if (name !== null && name !== current.username) {
      const changed = await this.commands.execute(new ExecuteProfileCommand(request.actor, { type: 'UpdateDisplayName', actor: request.actor, displayName: name, now }, request));
      this.noteWrite(request.actor, changed.position);
    }
    if (avatarUrl !== null && avatarUrl !== current.avatarUrl) {
      const changed = await this.commands.execute(new ExecuteProfileCommand(request.actor, { type: 'SetPhoto', actor: request.actor, url: avatarUrl, now }, request));
      this.noteWrite(request.actor, changed.position);
    }
    return { user: await this.profile(request.actor) };
  }

  /** Blocks or unblocks the user `user_email` names (Parley's block list: no direct messages either way). */
  async block(input: QiscusInput, request: CommandContext, change: 'Block' | 'Unblock') {
    const target = await this.directory.userByEmail(input.optionalString('user_email', 254), 'user_email');
    const now = new Date().toISOString();
    const done = await this.commands.execute(new ExecuteBlocksCommand(request.actor, { type: change, userId: request.actor, target: target.userId, now }, request));
    this.noteWrite(request.actor, done.position);
    return { user: await this.profile(target.userId) };
  }

  async blockedUsers(input: QiscusInput, userId: string) {
    const page = input.optionalInteger('page', 1, 100_000) ?? 1;
    const limit = input.optionalInteger('limit', 1, 100) ?? 20;
    const { items } = await this.queries.execute(new ListBlockedQuery(userId));
    const blocked_users = await Promise.all(items.slice((page - 1) * limit, page * limit).map((item) => this.profile(item.userId)));
    return { blocked_users };
  }

  async createRoom(input: QiscusInput, request: CommandContext) {
    const name = input.string('name', 100);
    const participants = await this.usersByEmail(input.list('participants', 1000), 'participants');
    const avatarUrl = input.optionalString('avatar_url', 2048);
    const created = await this.commands.execute(
      new CreateRoomCommand(
        { kind: 'group', name, participants: participants.map((p) => p.userId).filter((id) => id !== request.actor), topic: null, avatarUrl },
        request,
      ),
    );
    this.noteWrite(request.actor, created.position);
    return this.roomWithComments(await this.directory.roomByAlias(await this.directory.roomAlias(created.id)), request.actor);
  }

  /** The single room of the caller and the user `emails` names, created when needed. */
  async getOrCreateRoomWithTarget(input: QiscusInput, request: CommandContext) {
    const [target] = await this.usersByEmail(input.list('emails', 1), 'emails');
    const created = await this.commands.execute(new CreateRoomCommand({ kind: 'direct', userId: target!.userId }, request));
    this.noteWrite(request.actor, created.position);
    return this.roomWithComments(await this.directory.roomByAlias(await this.directory.roomAlias(created.id)), request.actor);
  }

  async getRoomById(input: QiscusInput, userId: string) {
    return this.roomWithComments(await this.memberRoom(input.alias('id'), userId), userId);
  }

  async userRooms(input: QiscusInput, userId: string) {
    const page = input.optionalInteger('page', 1, 10_000) ?? 1;
    const limit = input.optionalInteger('limit', 1, ROOMS_LIMIT) ?? 20;
    const withParticipants = input.optionalString('show_participants', 5) !== 'false';
    await this.settled(userId);
    // Parley pages rooms by cursor; the SDK by page number: walk to the page.
    let cursor: string | undefined;
    let rooms: Page<MyRoomView> = { items: [], nextCursor: null };
    for (let at = 1; at <= page; at++) {
      rooms = await this.queries.execute(new ListMyRoomsQuery(userId, cursor, limit));
      if (rooms.nextCursor === null && at < page) return { meta: { current_page: page, total_room: 0 }, rooms_info: [] };
      cursor = rooms.nextCursor ?? undefined;
    }
    const items = rooms.items;
    const lastComments = await this.queries.execute(new TimelineItemsQuery(items.flatMap((r) => (r.lastComment ? [r.lastComment.id] : []))));
    const lastById = new Map(lastComments.map((doc) => [doc.id, doc]));
    const rooms_info = [];
    for (const view of items) {
      const room = await this.directory.roomByAlias(await this.directory.roomAlias(view.id)).catch(() => null);
      if (room === null) continue;
      const info = await this.roomInfo(room);
      const last = view.lastComment ? lastById.get(view.lastComment.id) : undefined;
      rooms_info.push({
        ...info,
        ...(withParticipants ? {} : { participants: [] }),
        last_comment: last ? await this.comment(last, room) : emptyComment(room, info.room_name),
        unread_count: view.unreadCount,
      });
    }
    return { meta: { current_page: page, total_room: rooms_info.length }, rooms_info };
  }

  async totalUnreadCount(userId: string) {
    await this.settled(userId);
    const { total } = await this.queries.execute(new UnreadQuery(userId));
    return { total_unread_count: total };
  }

  async postComment(input: QiscusInput, request: CommandContext) {
    const room = await this.memberRoom(input.alias('topic_id'), request.actor);
    const message = input.string('comment', 64 * 1024);
    const type = input.optionalString('type', 100) ?? 'text';
    if (type === SYSTEM_EVENT_COMMENT_TYPE) throw invalid('type', 'system events are posted by the server');
    const payload = input.object('payload');
    const clientId = input.optionalString('unique_temp_id', 200);
    const posted = await this.commands.execute(new PostCommentCommand(room.roomId, message, type, payload, null, clientId, null, request));
    this.noteWrite(request.actor, posted.position);
    this.rest.noteWrite(room.roomId, posted.position);
    const [doc] = await this.queries.execute(new TimelineItemsByAliasQuery([aliasOf(BigInt(posted.position))]));
    if (!doc) throw new Error(`comment ${posted.id} is not in the timeline after its position was reached`);
    return { comment: await this.comment(doc, room) };
  }

  /**
   * A page of the room's comments as the caller may see them: newest first
   * before `last_comment_id` (or the newest), or oldest first after it when
   * `after` is true.
   */
  async loadComments(input: QiscusInput, userId: string) {
    const room = await this.memberRoom(input.alias('topic_id'), userId);
    const limit = input.optionalInteger('limit', 1, 100) ?? ROOM_COMMENTS;
    const lastId = input.optionalInteger('last_comment_id', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const after = input.optionalString('after', 5) === 'true';
    let range: TimelineRange = { limit };
    if (lastId > 0) {
      const [item] = (await this.queries.execute(new TimelineItemsByAliasQuery([lastId]))).filter((doc) => doc['roomId'] === room.roomId);
      if (!item) throw invalid('last_comment_id', 'names no comment of this room');
      range = after ? { limit, afterEventId: item['ord'] as number } : { limit, beforeEventId: item['ord'] as number };
    } else if (after) {
      range = { limit, after: 0 };
    }
    await this.settled(userId);
    const page = await this.queries.execute(new ListCommentsQuery(userId, room.roomId, range));
    const docs = await this.queries.execute(new TimelineItemsQuery(page.items.map((item) => item.id)));
    const byId = new Map(docs.map((doc) => [doc.id, doc]));
    const participants = await this.participants(room);
    const readThrough = await this.readByAll(room, userId);
    const shown = page.items.flatMap((item) => {
      const doc = byId.get(item.id);
      return doc === undefined ? [] : [{ doc, text: item.text }];
    });
    // The page's files in one read.
    const files = await this.files.ofEach(shown.map(({ doc }) => attachmentsOf(doc)));
    const comments: QiscusSdkComment[] = [];
    for (const [index, { doc, text }] of shown.entries()) {
      comments.push(await this.comment(doc, room, participants, text, readThrough, files[index]));
    }
    return { comments: after ? comments : comments.reverse() };
  }

  /**
   * The seq every other member who shares read receipts has read up to (the
   * caller seeing them: receipts are reciprocal); 0 when nobody else shares.
   */
  private async readByAll(room: Room, userId: string): Promise<number> {
    const receipts = await this.queries.execute(new RoomReceiptsQuery(userId, room.roomId));
    if (receipts.items.length === 0) return 0;
    return Math.min(...receipts.items.map((r) => r.lastReadSeq));
  }

  /** Moves the caller's read marker to the comment `last_comment_read_id` names; delivery receipts Parley does not keep. */
  async updateCommentStatus(input: QiscusInput, request: CommandContext) {
    const room = await this.memberRoom(input.alias('room_id'), request.actor);
    const readId = input.optionalInteger('last_comment_read_id', 1, Number.MAX_SAFE_INTEGER);
    const receivedId = input.optionalInteger('last_comment_received_id', 1, Number.MAX_SAFE_INTEGER);
    let changed = false;
    if (readId !== null) {
      const [item] = (await this.queries.execute(new TimelineItemsByAliasQuery([readId]))).filter((doc) => doc['roomId'] === room.roomId);
      if (!item) throw invalid('last_comment_read_id', 'names no comment of this room');
      const seq = item['seq'] as number | null;
      if (seq !== null) {
        const read = await this.commands.execute(new MarkReadCommand(room.roomId, { seq }, request));
        this.noteWrite(request.actor, read.position);
        changed = read.position !== null;
      }
    }
    return { changed, last_comment_read_id: readId ?? 0, last_comment_received_id: receivedId ?? 0, user_id: request.actor };
  }

  /** Comments after `last_received_comment_id` in every room the caller may read: the feed, in pages. */
  async sync(input: QiscusInput, userId: string) {
    const after = input.optionalInteger('last_received_comment_id', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    // A cursor kept from before a move of the log still says where this client was (FeedCursorPositionQuery).
    const from = await this.queries.execute(new FeedCursorPositionQuery(after));
    const page = await this.queries.execute(new FeedPageQuery(userId, from, ['CommentPosted'], SYNC_LIMIT));
    const ids = page.items.map((item) => (item.data as { commentId: string }).commentId);
    const docs = await this.itemsThrough(ids, page.through);
    const comments: QiscusSdkComment[] = [];
    const rooms = new Map<string, Room | null>();
    for (const doc of docs) {
      if (doc['deleted'] === true) continue;
      const room = await this.roomOf(doc['roomId'] as string, rooms);
      if (room) comments.push(await this.comment(doc, room));
    }
    const through = await this.queries.execute(new FeedCursorQuery(page.through));
    return { comments, meta: { last_received_comment_id: through, need_clear: false } };
  }

  /**
   * Deletions after `start_event_id` in the caller's rooms, as the SDK's
   * `delete_message` events. Every answer ends with a `sync_cursor` event the
   * SDK does not act on, whose id says how far the log was read, so the next
   * poll starts there. Read markers are not sent: Parley shows a member
   * only their own (the SDK ignores those), and delivery is not kept.
   */
  async syncEvent(input: QiscusInput, userId: string) {
    const start = input.optionalInteger('start_event_id', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const head = await this.queries.execute(new FeedHeadQuery());
    // A client's first poll starts now: events from before its sign-in concern what it loads with the rooms.
    if (start === 0) return { events: head === null ? [] : [cursorEvent(await this.queries.execute(new FeedCursorQuery(head)))] };
    const from = await this.queries.execute(new FeedCursorPositionQuery(start));
    const page = await this.queries.execute(new FeedPageQuery(userId, from, ['CommentDeleted', 'HistoryCleared', 'RoomRead'], SYNC_LIMIT));
    let { items, through } = page;
    // A read marker names a comment by seq: the timeline must have passed it, or the receipt would be lost behind
    // the cursor. While it has not (a projector behind under load), the answer stops before the first marker and
    // the next poll starts there.
    const firstRead = items.findIndex((item) => item.type === 'RoomRead');
    if (firstRead >= 0 && !(await this.gate.waitForReadModels(through, this.config.minPositionWaitMs, ['timeline'])).reached) {
      items = items.slice(0, firstRead);
      through = firstRead === 0 ? from : BigInt(items[firstRead - 1]!.position);
    }
    const deletions = items.filter((item) => item.type === 'CommentDeleted');
    const docs = await this.itemsThrough(deletions.map((item) => (item.data as { commentId: string }).commentId), through);
    const byId = new Map(docs.map((doc) => [doc.id, doc]));
    const rooms = new Map<string, Room | null>();
    const events = [];
    for (const item of items) {
      if (item.type === 'RoomRead') {
        // Another member's read marker (the feed shows it only where both share read receipts): the SDK's `read`.
        const read = item.data as { roomId: string; userId: string; seq: number };
        if (read.userId === userId) continue;
        const room = await this.roomOf(read.roomId, rooms);
        const comment = room ? await this.queries.execute(new CommentBySeqQuery(read.roomId, read.seq)) : null;
        if (!room || !comment) continue;
        const reader = await this.directory.user(read.userId);
        events.push({
          id: await this.queries.execute(new FeedCursorQuery(BigInt(item.position))),
          action_topic: 'read',
          timestamp: Date.parse(item.recordedAt) * 1_000_000,
          payload: {
            actor: { id: String(reader.id), email: reader.email, name: reader.username },
            data: {
              comment_id: (comment['alias'] as number | undefined) ?? 0,
              comment_unique_id: (comment['clientId'] as string | null | undefined) ?? comment.id,
              email: reader.email,
              room_id: room.alias,
            },
          },
        });
        continue;
      }
      if (item.type === 'HistoryCleared') {
        // The feed shows a member only their own clearing: the SDK's other sessions of the same user learn of it.
        const room = await this.roomOf((item.data as { roomId: string }).roomId, rooms);
        if (room) events.push(clearRoomEvent(await this.queries.execute(new FeedCursorQuery(BigInt(item.position))), Date.parse(item.recordedAt), await this.roomInfo(room)));
        continue;
      }
      const data = item.data as { commentId: string; roomId: string };
      const room = await this.roomOf(data.roomId, rooms);
      const doc = byId.get(data.commentId);
      if (!room || !doc) continue;
      const uniqueId = (doc['clientId'] as string | null | undefined) ?? doc.id;
      events.push({
        // The SDK keeps the largest id it saw as its cursor: in the cursor's space of numbers too.
        id: await this.queries.execute(new FeedCursorQuery(BigInt(item.position))),
        action_topic: 'delete_message',
        timestamp: Date.parse(item.recordedAt) * 1_000_000,
        payload: {
          actor: { id: '', email: '', name: '' },
          data: { deleted_messages: [{ room_id: String(room.alias), message_unique_ids: [uniqueId] }], is_hard_delete: true },
        },
      });
    }
    if (through > from) events.push(cursorEvent(await this.queries.execute(new FeedCursorQuery(through))));
    return { events };
  }

  /** Deletes the caller's comments named by their `unique_temp_id` (or Parley id); all are found before any is deleted. */
  async deleteMessages(input: QiscusInput, request: CommandContext) {
    const ids = input.list('unique_ids', 100);
    await this.settled(request.actor);
    const byClientId = await this.queries.execute(new CommentsByClientIdQuery(request.actor, ids));
    const byId = await this.queries.execute(new TimelineItemsQuery(ids.filter((id) => !byClientId.some((doc) => doc['clientId'] === id))));
    const found = [...byClientId, ...byId.filter((doc) => doc['kind'] === 'comment')];
    ids.forEach((id, index) => {
      if (!found.some((doc) => doc['clientId'] === id || doc.id === id)) {
        throw invalid(`unique_ids[${index}]`, 'names no comment of yours');
      }
    });
    const rooms = new Map<string, Room | null>();
    const comments: QiscusSdkComment[] = [];
    for (const doc of found) {
      const room = await this.roomOf(doc['roomId'] as string, rooms);
      if (!room) continue;
      comments.push(await this.comment(doc, room));
      const deleted = await this.commands.execute(new DeleteCommentCommand(room.roomId, doc.id, request));
      this.noteWrite(request.actor, deleted.position);
    }
    return { comments };
  }

  /**
   * Clears the rooms' history for the caller alone (Parley's HistoryCleared):
   * the other participants keep theirs. Every room is found, and must be the
   * caller's, before any is cleared.
   */
  async clearRoomMessages(input: QiscusInput, request: CommandContext) {
    const rooms = await this.roomsOfCaller(input.list('room_channel_ids', 100), 'room_channel_ids', request.actor);
    const cleared = [];
    for (const room of rooms) {
      const done = await this.commands.execute(new ClearHistoryCommand(room.roomId, request));
      this.noteWrite(request.actor, done.position);
      cleared.push(await this.roomInfo(room));
    }
    return { rooms: cleared };
  }

  /** The rooms named (integer or unique ids), each one the caller is in; 404 naming the first that is not. */
  private async roomsOfCaller(references: readonly string[], field: string, userId: string): Promise<Room[]> {
    const rooms: Room[] = [];
    for (const [index, reference] of references.entries()) {
      const room = await this.directory.roomByReference(reference, `${field}[${index}]`);
      if (!room.members.has(userId)) throw notFound('ROOM.NOT_FOUND', `No room with id ${reference}`);
      if (!rooms.some((r) => r.roomId === room.roomId)) rooms.push(room);
    }
    return rooms;
  }

  async changeParticipants(input: QiscusInput, request: CommandContext, change: 'add' | 'remove') {
    const room = await this.memberRoom(input.alias('room_id'), request.actor);
    const users = await this.usersByEmail(input.list('emails', 1000), 'emails');
    const now = new Date().toISOString();
    if (change === 'add') {
      const userIds = users.map((u) => u.userId).filter((id) => !room.members.has(id));
      if (userIds.length > 0) {
        const added = await this.commands.execute(new ExecuteRoomCommand(room.roomId, { type: 'AddMembers', actor: request.actor, userIds, now }, request));
        this.noteWrite(request.actor, added.position);
      }
      return { participants_added: users.map(participant) };
    }
    for (const user of users.filter((u) => room.members.has(u.userId))) {
      const removed = await this.commands.execute(new ExecuteRoomCommand(room.roomId, { type: 'RemoveMember', actor: request.actor, userId: user.userId, now }, request));
      this.noteWrite(request.actor, removed.position);
    }
    return { participants_removed: users.map((u) => u.email) };
  }

  private noteWrite(userId: string, position: string | null): void {
    if (position === null) return;
    const value = BigInt(position);
    if ((this.written.get(userId) ?? -1n) >= value) return;
    this.written.delete(userId);
    this.written.set(userId, value);
    if (this.written.size > 10_000) this.written.delete(this.written.keys().next().value!);
  }

  private async settled(userId: string): Promise<void> {
    const position = this.written.get(userId);
    if (position !== undefined) await this.gate.waitForReadModels(position, this.config.minPositionWaitMs, ['timeline', 'rooms', 'memberships']);
  }

  /** Timeline items once the timeline passed `through` (the feed read the log up to there). */
  private async itemsThrough(ids: readonly string[], through: bigint): Promise<Doc[]> {
    if (ids.length === 0) return [];
    await this.gate.waitForReadModels(through, this.config.minPositionWaitMs, ['timeline']);
    const docs = await this.queries.execute(new TimelineItemsQuery(ids));
    const order = new Map(ids.map((id, index) => [id, index]));
    return docs.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /** The room an alias names, if the caller is a member: a room that is not theirs is one they cannot know of (404). */
  private async memberRoom(alias: number, userId: string): Promise<Room> {
    const room = await this.directory.roomByAlias(alias);
    if (!room.members.has(userId)) throw notFound('ROOM.NOT_FOUND', `No room with id ${alias}`);
    return room;
  }

  private async roomOf(roomId: string, cache: Map<string, Room | null>): Promise<Room | null> {
    if (!cache.has(roomId)) {
      cache.set(roomId, await this.directory.roomAlias(roomId).then((alias) => this.directory.roomByAlias(alias)).catch(() => null));
    }
    return cache.get(roomId) ?? null;
  }

  private participants(room: Room): Promise<QiscusUser[]> {
    return Promise.all([...room.members.keys()].map((id) => this.directory.user(id)));
  }

  private async roomInfo(room: Room) {
    const participants = await this.participants(room);
    const name = roomName(room, participants);
    return {
      id: room.alias,
      id_str: String(room.alias),
      room_name: name,
      chat_type: room.kind === 'direct' ? ('single' as const) : ('group' as const),
      room_type: room.kind === 'direct' ? ('single' as const) : ('group' as const),
      avatar_url: room.avatarUrl ?? '',
      options: '',
      unique_id: room.roomId,
      is_public_channel: false,
      room_total_participants: participants.length,
      participants: participants.map(participant),
    };
  }

  private async roomWithComments(room: Room, userId: string) {
    await this.settled(userId);
    const info = await this.roomInfo(room);
    const { comments } = await this.loadComments(new QiscusInput({ topic_id: room.alias, limit: ROOM_COMMENTS }), userId);
    const last = comments[0];
    return {
      room: {
        ...info,
        last_comment_id: last?.id ?? 0,
        last_comment_message: last?.message ?? '',
        last_topic_id: room.alias,
      },
      comments,
    };
  }

  private async comment(
    doc: Doc,
    room: Room,
    participants?: readonly QiscusUser[],
    text?: string | null,
    readThrough = 0,
    files?: readonly AttachmentFile[],
  ): Promise<QiscusSdkComment> {
    const sender = await this.directory.user(doc['senderId'] as string);
    const name = roomName(room, participants ?? (await this.participants(room)));
    const createdAt = doc['createdAt'] as string;
    const millis = Date.parse(createdAt);
    const uniqueId = (doc['clientId'] as string | null | undefined) ?? doc.id;
    const deleted = doc['deleted'] === true;
    const kind = room.kind === 'direct' ? ('single' as const) : ('group' as const);
    // A comment with files shows as Qiscus shows a file, as its webhook does.
    const shown = qiscusMessageOf(
      (doc['type'] as string | undefined) ?? 'text',
      deleted ? '' : (text ?? (doc['text'] as string | null) ?? ''),
      deleted ? null : ((doc['payload'] as Record<string, unknown> | null) ?? null),
      files ?? (await this.files.of(attachmentsOf(doc))),
    );
    return {
      id: (doc['alias'] as number | undefined) ?? 0,
      comment_before_id: (doc['previousAlias'] as number | null | undefined) ?? 0,
      message: shown.text,
      type: shown.type,
      payload: shown.payload,
      extras: {},
      email: sender.email,
      user_id: sender.email,
      username: sender.username,
      user_avatar_url: sender.avatarUrl,
      user_extras: {},
      room_id: room.alias,
      topic_id: room.alias,
      room_name: name,
      room_type: kind,
      chat_type: kind,
      unique_temp_id: uniqueId,
      unique_id: uniqueId,
      timestamp: qiscusTime(createdAt),
      unix_timestamp: Math.floor(millis / 1000),
      unix_nano_timestamp: `${millis}000000`,
      status: typeof doc['seq'] === 'number' && doc['seq'] <= readThrough ? 'read' : 'sent',
      is_deleted: deleted,
      is_public_channel: false,
      disable_link_preview: false,
    };
  }

  private usersByEmail(emails: readonly string[], field: string): Promise<QiscusUser[]> {
    return Promise.all(emails.map((email, index) => this.directory.userByEmail(email, `${field}[${index}]`)));
  }
}

function participant(user: QiscusUser) {
  return { id: user.id, id_str: String(user.id), email: user.email, username: user.username, avatar_url: user.avatarUrl, extras: {} };
}

/** A single room is named by its two participants' emails, as the seed does. */
function roomName(room: ActiveRoom, participants: readonly QiscusUser[]): string {
  if (room.kind === 'group') return room.name;
  return participants.map((p) => p.email).sort().join(' ');
}

/** What a room without comments shows as its last comment (the SDK reads `last_comment.id` of every room). */
function emptyComment(room: Room, name: string) {
  return { id: 0, comment_before_id: 0, message: '', type: 'text', payload: {}, room_id: room.alias, room_name: name, timestamp: NO_TIME, unix_timestamp: 0, unique_temp_id: '', email: '', username: '' };
}

/** The SDK's `clear_room` event: it hands each of `deleted_rooms` to its room-cleared callback. */
function clearRoomEvent(id: number, millis: number, room: object) {
  return { id, action_topic: 'clear_room', timestamp: millis * 1_000_000, payload: { actor: { id: '', email: '', name: '' }, data: { deleted_rooms: [room] } } };
}

/** An event the SDK does not act on whose id carries the sync position (see syncEvent). */
function cursorEvent(id: number) {
  return { id, action_topic: 'sync_cursor', timestamp: 0, payload: { actor: { id: '', email: '', name: '' }, data: {} } };
}
