import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../../libs/config/config';
import { aliasOf } from '../../../../libs/domain/aliases';
import { notFound } from '../../../../libs/domain/errors';
import { requireEmail } from '../../../../libs/domain/users/email';
import { unreadCount } from '../../../../projections/memberships.projection';
import { TokenService } from '../../auth/token.service';
import { CommentLookup } from '../../comments/comment-lookup';
import { attachmentsOf, type CommentView } from '../../comments/comment-views';
import { AttachmentFiles } from '../../media/attachment-files';
import { qiscusMessageOf } from '../../webhooks/webhook-payloads';
import { PostCommentCommand, SYSTEM_EVENT_COMMENT_TYPE, SYSTEM_EVENT_TYPES, isSystemEventType } from '../../comments/post-comment.command';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { ClearHistoryCommand } from '../../read-state/clear-history.command';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { RoomDocumentsQuery, TimelineDocumentsQuery, TimelineItemsQuery, type Doc } from '../../rooms/room-lookups.queries';
import type { ActiveRoom } from '../../rooms/room-states';
import { CreateRoomCommand } from '../../rooms/create-room.command';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { ChangePasswordCommand, ExecuteProfileCommand } from '../../users/profile.command';
import { EmailAccounts } from '../../users/email-accounts';
import { QiscusInput, invalid } from './qiscus-input';
import { NO_TIME, QiscusDirectory, qiscusTime, type QiscusUser } from './qiscus-directory';
import { QISCUS_SERVER_ACTOR } from './qiscus-server.guard';

export interface QiscusComment {
  readonly id: number;
  readonly comment_before_id: number;
  readonly message: string;
  readonly disable_link_preview: boolean;
  readonly email: string;
  readonly username: string;
  readonly user_avatar_url: string;
  readonly timestamp: string;
  readonly unique_temp_id: string;
  readonly type?: string;
  readonly payload?: Record<string, unknown>;
  readonly room_id?: number;
  readonly room_name?: string;
}

export interface QiscusRoomSummary {
  readonly creator: string;
  readonly participants: string[];
  readonly room_id: number;
  readonly room_name: string;
  readonly room_type: 'group' | 'single';
}

/** Comments a room answer carries, newest first. */
const ROOM_COMMENTS = 20;
/** Aliases of comments this process answered lately: the next post's `comment_before_id` without a read. */
const RECENT_ALIASES = 10_000;

/**
 * The seed's server REST API translated onto Parley's commands and queries:
 * the server secret acts for users named by email (the events record
 * `apikey:qiscus` as actor and the user as subject), rooms and comments are
 * named by their integer aliases. No rule lives here; the deciders refuse.
 */
@Injectable()
export class QiscusRest {
  private readonly recent = new Map<string, number>();
  /** The last position this process wrote per room: reads of the room wait for it (read-your-writes without headers). */
  private readonly written = new Map<string, bigint>();

  constructor(
    private readonly commands: CommandBus,
    private readonly directory: QiscusDirectory,
    private readonly emails: EmailAccounts,
    private readonly tokens: TokenService,
    private readonly lookup: CommentLookup,
    private readonly queries: QueryBus,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
    private readonly files: AttachmentFiles,
  ) {}

  /** Notes a write to a room, so that this process's next read of it shows the write. */
  noteWrite(roomId: string, position: string | null): void {
    if (position === null) return;
    const value = BigInt(position);
    if ((this.written.get(roomId) ?? -1n) >= value) return;
    this.written.delete(roomId);
    this.written.set(roomId, value);
    if (this.written.size > RECENT_ALIASES) this.written.delete(this.written.keys().next().value!);
  }

  /** Waits (bounded) until the read models show every write this process made to the room. */
  private async settled(roomId: string): Promise<void> {
    const position = this.written.get(roomId);
    if (position !== undefined) await this.gate.waitForReadModels(position, this.config.minPositionWaitMs, ['timeline', 'rooms', 'memberships']);
  }

  /** The request acting for a user. */
  actingFor(request: CommandContext, userId: string): CommandContext {
    return { ...request, actor: userId, actingKey: QISCUS_SERVER_ACTOR };
  }

  async loginOrRegister(input: QiscusInput, request: CommandContext): Promise<{ user: QiscusUser; token: string; refreshToken: string; position: string | null }> {
    const email = requireEmail(input.optionalString('email', 254) ?? '', 'email');
    const password = input.optionalString('password', 200);
    const username = input.optionalString('username', 200) ?? email.slice(0, email.indexOf('@'));
    const avatarUrl = input.optionalString('avatar_url', 2048);
    const server = { ...request, actor: QISCUS_SERVER_ACTOR };
    let user = await this.emails.find(email);
    let position: string | null = null;
    if (user === null) {
      const created = await this.emails.register({ email, password, displayName: username }, server);
      user = created.user;
      position = created.position;
    } else if (password !== null) {
      // "password will be updated if user already exist"
      position = (await this.commands.execute(new ChangePasswordCommand(user.userId, null, password, this.actingFor(request, user.userId)))).position;
    }
    const acting = this.actingFor(request, user.userId);
    if (user.displayName !== username) {
      const now = new Date().toISOString();
      const command = { type: 'UpdateDisplayName', actor: user.userId, displayName: username, now } as const;
      position = (await this.commands.execute(new ExecuteProfileCommand(user.userId, command, acting))).position;
    }
    if (avatarUrl !== null && user.photoUrl !== avatarUrl) {
      const command = { type: 'SetPhoto', actor: user.userId, url: avatarUrl, now: new Date().toISOString() } as const;
      position = (await this.commands.execute(new ExecuteProfileCommand(user.userId, command, acting))).position;
    }
    const pair = await this.tokens.issue(user.userId, 'server', acting);
    return { user: await this.directory.user(user.userId), token: pair.access_token, refreshToken: pair.refresh_token, position };
  }

  async createRoom(input: QiscusInput, request: CommandContext): Promise<{ results: QiscusRoomSummary; position: string | null }> {
    const name = input.string('name', 100);
    const creator = await this.directory.userByEmail(input.optionalString('creator', 254), 'creator');
    const participants = await this.usersByEmail(input.list('participants'), 'participants');
    const created = await this.commands.execute(
      new CreateRoomCommand(
        { kind: 'group', name, participants: participants.map((p) => p.userId).filter((id) => id !== creator.userId), topic: null, avatarUrl: null },
        this.actingFor(request, creator.userId),
      ),
    );
    this.noteWrite(created.id, created.position);
    return { results: await this.summary(await this.activeRoom(created.id)), position: created.position };
  }

  async getOrCreateRoomWithTarget(input: QiscusInput, request: CommandContext) {
    const emails = input.list('emails', 2);
    if (emails.length !== 2) throw invalid('emails', 'must hold exactly two emails');
    const [first, second] = await this.usersByEmail(emails, 'emails');
    const created = await this.commands.execute(new CreateRoomCommand({ kind: 'direct', userId: second!.userId }, this.actingFor(request, first!.userId)));
    this.noteWrite(created.id, created.position);
    const room = await this.activeRoom(created.id);
    const avatarUrl = input.optionalString('avatar_url', 2048);
    if (avatarUrl !== null && avatarUrl !== room.avatarUrl) {
      const command = { type: 'UpdateRoom', actor: first!.userId, avatarUrl, now: new Date().toISOString() } as const;
      const changed = await this.commands.execute(new ExecuteRoomCommand(room.roomId, command, this.actingFor(request, first!.userId)));
      this.noteWrite(room.roomId, changed.position);
    }
    return this.roomWithComments(await this.activeRoom(created.id));
  }

  async roomWithComments(room: ActiveRoom & { alias: number }) {
    await this.settled(room.roomId);
    const [doc, participants, comments] = await Promise.all([
      this.directory.roomDoc(room.roomId),
      Promise.all([...room.members.keys()].map((id) => this.directory.user(id))),
      this.comments(room, 1, ROOM_COMMENTS, false),
    ]);
    const last = lastComment(doc);
    return {
      comments,
      room: {
        avatar_url: room.avatarUrl ?? '',
        chat_type: room.kind === 'direct' ? 'single' : 'group',
        id: room.alias,
        last_comment_id: last.id,
        last_comment_message: last.message,
        last_topic_id: room.alias,
        options: null,
        participants: participants.map((p) => ({ avatar_url: p.avatarUrl, email: p.email, username: p.username })),
        room_name: roomName(room, participants),
      },
    };
  }

  async roomsInfo(input: QiscusInput) {
    const user = await this.directory.userByEmail(input.optionalString('user_email', 254), 'user_email');
    const aliases = input.list('room_id', 100).map((value, index) => {
      const alias = new QiscusInput({ id: value }).alias('id');
      if (!alias) throw invalid(`room_id[${index}]`, 'must be a room id');
      return alias;
    });
    const rooms_info = [];
    for (const alias of aliases) {
      const room = await this.directory.roomByAlias(alias);
      await this.settled(room.roomId);
      const [{ room: doc, membership }, participants] = await Promise.all([
        this.queries.execute(new RoomDocumentsQuery(room.roomId, user.userId)),
        Promise.all([...room.members.keys()].map((id) => this.directory.user(id))),
      ]);
      const last = lastComment(doc, (membership?.['clearedThroughSeq'] as number | undefined) ?? 0);
      rooms_info.push({
        last_comment_id: last.id,
        last_comment_message: last.message,
        last_comment_timestamp: last.timestamp,
        room_id: alias,
        room_name: roomName(room, participants),
        room_type: room.kind === 'direct' ? ('single' as const) : ('group' as const),
        unread_count: membership && membership['active'] !== false ? unreadCount(membership) : 0,
      });
    }
    return { rooms_info };
  }

  async changeParticipants(input: QiscusInput, request: CommandContext, change: 'add' | 'remove') {
    const room = await this.directory.roomByAlias(input.alias('room_id'));
    const users = await this.usersByEmail(input.list('emails', 1000), 'emails');
    // The server acts for the room's owner: the one whose permissions cover membership.
    const owner = [...room.members.entries()].find(([, m]) => m.role === 'owner')?.[0] ?? room.createdBy;
    const acting = this.actingFor(request, owner);
    const now = new Date().toISOString();
    let position: string | null = null;
    if (change === 'add') {
      const userIds = users.map((u) => u.userId).filter((id) => !room.members.has(id));
      if (userIds.length > 0) {
        position = (await this.commands.execute(new ExecuteRoomCommand(room.roomId, { type: 'AddMembers', actor: owner, userIds, now }, acting))).position;
      }
    } else {
      for (const user of users.filter((u) => room.members.has(u.userId))) {
        const command = { type: 'RemoveMember', actor: owner, userId: user.userId, now } as const;
        position = (await this.commands.execute(new ExecuteRoomCommand(room.roomId, command, acting))).position ?? position;
      }
    }
    this.noteWrite(room.roomId, position);
    return { results: await this.summary(await this.activeRoom(room.roomId)), position };
  }

  /**
   * Clears the rooms' history for the user `user_id` names, for them alone
   * (Parley's HistoryCleared), the server acting for them. The rooms are
   * `room_channel_ids` (unique ids or integer ids) or `room_ids`; every one
   * is found, and must be the user's, before any is cleared.
   */
  async clearRoomMessages(input: QiscusInput, request: CommandContext) {
    const user = await this.directory.userByEmail(input.optionalString('user_id', 254), 'user_id');
    const field = input.has('room_channel_ids') ? 'room_channel_ids' : 'room_ids';
    const rooms: (ActiveRoom & { alias: number })[] = [];
    for (const [index, reference] of input.list(field, 100).entries()) {
      const room = await this.directory.roomByReference(reference, `${field}[${index}]`);
      if (!room.members.has(user.userId)) throw notFound('ROOM.NOT_FOUND', `No room with id ${reference} for ${user.email}`);
      if (!rooms.some((r) => r.roomId === room.roomId)) rooms.push(room);
    }
    const acting = this.actingFor(request, user.userId);
    const cleared = [];
    for (const room of rooms) {
      this.noteWrite(room.roomId, (await this.commands.execute(new ClearHistoryCommand(room.roomId, acting))).position);
      cleared.push(await this.summary(room));
    }
    return { rooms: cleared };
  }

  async postComment(input: QiscusInput, request: CommandContext): Promise<{ comment: QiscusComment; position: string }> {
    const sender = await this.directory.userByEmail(input.optionalString('sender_email', 254), 'sender_email');
    const room = await this.directory.roomByAlias(input.alias('room_id'));
    const message = input.string('message', 64 * 1024);
    const type = input.optionalString('type', 100) ?? 'text';
    if (type === SYSTEM_EVENT_COMMENT_TYPE) throw invalid('type', 'system events are posted with post_system_event_message');
    const payload = input.object('payload');
    const clientId = input.optionalString('unique_temp_id', 200);
    const posted = await this.commands.execute(
      new PostCommentCommand(room.roomId, message, type, payload, null, clientId, null, this.actingFor(request, sender.userId)),
    );
    this.noteWrite(room.roomId, posted.position);
    return { comment: await this.renderPosted(posted, sender), position: posted.position };
  }

  async postSystemEvent(input: QiscusInput, request: CommandContext) {
    const type = input.string('system_event_type', 50);
    if (!isSystemEventType(type)) throw invalid('system_event_type', `must be one of ${SYSTEM_EVENT_TYPES.join(', ')}`);
    const room = await this.directory.roomByAlias(input.alias('room_id'));
    const subject = await this.directory.userByEmail(input.optionalString('subject_email', 254), 'subject_email');
    const needsObjects = type === 'add_member' || type === 'remove_member';
    const objects = needsObjects ? await this.usersByEmail(input.list('object_email', 100), 'object_email') : [];
    const roomNameGiven = input.optionalString('updated_room_name', 100);
    if ((type === 'change_room_name' || type === 'create_room') && roomNameGiven === null) throw invalid('updated_room_name', 'is required for ' + type);
    const roomName = roomNameGiven ?? room.name;
    const objectNames = objects.map((o) => o.username).join(', ');
    const text = systemText(type, subject.username, objectNames, roomName);
    const payload = {
      type,
      subject_email: subject.email,
      subject_username: subject.username,
      object_email: objects.map((o) => o.email).join(','),
      object_username: objectNames,
      room_name: roomName,
      ...(input.object('payload') ?? {}),
    };
    // The message is the server's: it speaks for the subject while they are a member, else for the owner.
    const speaker = room.members.has(subject.userId) ? subject.userId : ([...room.members.entries()].find(([, m]) => m.role === 'owner')?.[0] ?? room.createdBy);
    const posted = await this.commands.execute(
      new PostCommentCommand(room.roomId, text, SYSTEM_EVENT_COMMENT_TYPE, payload, null, null, null, this.actingFor(request, speaker)),
    );
    this.noteWrite(room.roomId, posted.position);
    const comment = await this.renderPosted(posted, subject);
    const unix = Math.floor(Date.parse(posted.createdAt) / 1000);
    const systemUser = `system@${this.config.qiscus?.appId ?? 'parley'}.qiscus.com`;
    return {
      results: {
        comment: {
          comment_before_id: comment.comment_before_id,
          disable_link_preview: false,
          email: systemUser,
          id: comment.id,
          message: text,
          payload,
          room_id: room.alias,
          timestamp: comment.timestamp,
          topic_id: room.alias,
          type: SYSTEM_EVENT_COMMENT_TYPE,
          unique_temp_id: comment.unique_temp_id,
          unix_timestamp: unix,
          user_avatar: { avatar: { url: '' } },
          user_avatar_url: '',
          user_id: 0,
          username: 'System',
        },
      },
      position: posted.position,
    };
  }

  async loadComments(input: QiscusInput) {
    const room = await this.directory.roomByAlias(input.alias('room_id'));
    const page = input.optionalInteger('page', 1, 1_000_000) ?? 1;
    const limit = input.optionalInteger('limit', 1, 100) ?? 20;
    await this.settled(room.roomId);
    return { comments: await this.comments(room, page, limit, true) };
  }

  /** A page of the room's timeline, newest first, as Qiscus comments. */
  async comments(room: ActiveRoom & { alias: number }, page: number, limit: number, withRoom: boolean): Promise<QiscusComment[]> {
    const docs = await this.queries.execute(new TimelineDocumentsQuery(room.roomId, (page - 1) * limit, limit));
    const senders = new Map<string, QiscusUser>();
    for (const id of new Set(docs.map((doc) => doc['senderId'] as string))) senders.set(id, await this.directory.user(id));
    const participants = withRoom ? await Promise.all([...room.members.keys()].map((id) => this.directory.user(id))) : [];
    const name = roomName(room, participants);
    const files = await this.files.ofEach(docs.map(attachmentsOf));
    return docs.map((doc, index) => {
      const sender = senders.get(doc['senderId'] as string)!;
      const text = doc['deleted'] === true ? '' : ((doc['text'] as string | null) ?? systemItemText(doc, sender.username));
      // A comment with files shows as Qiscus shows a file, as its webhook does.
      const { type, text: message, payload } = qiscusMessageOf(doc['type'] as string, text, (doc['payload'] as Record<string, unknown> | null) ?? null, files[index] ?? []);
      return {
        comment_before_id: (doc['previousAlias'] as number | null | undefined) ?? 0,
        disable_link_preview: false,
        email: sender.email,
        id: (doc['alias'] as number | undefined) ?? 0,
        message,
        ...(withRoom ? { room_id: room.alias, room_name: name } : {}),
        timestamp: qiscusTime(doc['createdAt'] as string),
        unique_temp_id: (doc['clientId'] as string | null | undefined) ?? doc.id,
        user_avatar_url: sender.avatarUrl,
        username: sender.username,
        ...(type === 'text' ? {} : { type, payload }),
      };
    });
  }

  private async renderPosted(posted: CommentView, sender: QiscusUser): Promise<QiscusComment> {
    const id = aliasOf(BigInt(posted.position));
    this.remember(posted.id, id);
    return {
      id,
      comment_before_id: posted.previousId === null ? 0 : await this.aliasOfComment(posted.roomId, posted.previousId),
      message: posted.text ?? '',
      disable_link_preview: false,
      email: sender.email,
      username: sender.username,
      user_avatar_url: sender.avatarUrl,
      timestamp: qiscusTime(posted.createdAt),
      unique_temp_id: posted.clientId ?? posted.id,
      ...(posted.type === 'text' ? {} : { type: posted.type, payload: posted.payload ?? {} }),
    };
  }

  private async aliasOfComment(roomId: string, commentId: string): Promise<number> {
    const known = this.recent.get(commentId);
    if (known !== undefined) return known;
    // The timeline keeps each comment's alias, which an event moved from an earlier log carries with it.
    const [doc]: Doc[] = await this.queries.execute(new TimelineItemsQuery([commentId]));
    if (typeof doc?.['alias'] === 'number') return doc['alias'];
    // Not projected yet: so recent a comment was written to this log, where its alias is its position's.
    const found = (await this.lookup.find(roomId, [commentId])).get(commentId);
    return found ? aliasOf(BigInt(found.position)) : 0;
  }

  private remember(commentId: string, alias: number): void {
    this.recent.set(commentId, alias);
    if (this.recent.size > RECENT_ALIASES) this.recent.delete(this.recent.keys().next().value!);
  }

  private async usersByEmail(emails: readonly string[], field: string): Promise<QiscusUser[]> {
    return Promise.all(emails.map((email, index) => this.directory.userByEmail(email, `${field}[${index}]`)));
  }

  private async activeRoom(roomId: string): Promise<ActiveRoom & { alias: number }> {
    const alias = await this.directory.roomAlias(roomId);
    const room = await this.directory.roomByAlias(alias);
    return room;
  }

  private async summary(room: ActiveRoom & { alias: number }): Promise<QiscusRoomSummary> {
    const [creator, participants] = await Promise.all([
      this.directory.user(room.createdBy),
      Promise.all([...room.members.keys()].map((id) => this.directory.user(id))),
    ]);
    return {
      creator: creator.email,
      participants: participants.map((p) => p.email),
      room_id: room.alias,
      room_name: roomName(room, participants),
      room_type: room.kind === 'direct' ? 'single' : 'group',
    };
  }
}

/** A single room is named by its two participants' emails, as the seed does. */
function roomName(room: ActiveRoom, participants: readonly QiscusUser[]): string {
  if (room.kind === 'group') return room.name;
  return participants.map((p) => p.email).sort().join(' ');
}

/** The room's last comment as the user sees it: none when they cleared the history through it. */
function lastComment(doc: Doc | null, clearedThroughSeq = 0): { id: number; message: string; timestamp: string } {
  const last = doc?.['lastComment'] as { alias?: number; seq: number; text: string | null; createdAt: string; deleted: boolean } | null | undefined;
  if (!last || last.seq <= clearedThroughSeq) return { id: 0, message: '', timestamp: NO_TIME };
  return { id: last.alias ?? 0, message: last.deleted ? '' : (last.text ?? ''), timestamp: qiscusTime(last.createdAt) };
}

function systemText(type: (typeof SYSTEM_EVENT_TYPES)[number], subject: string, objects: string, roomName: string): string {
  switch (type) {
    case 'create_room':
      return `${subject} created room '${roomName}'`;
    case 'add_member':
      return `${subject} added ${objects}`;
    case 'join_room':
      return `${subject} joined room`;
    case 'remove_member':
      return `${subject} removed ${objects}`;
    case 'left_room':
      return `${subject} left room`;
    case 'change_room_name':
      return `${subject} changed room name to '${roomName}'`;
    case 'change_room_avatar':
      return `${subject} changed room avatar`;
  }
}

/** A system item of the timeline (room events) as a line of text. */
function systemItemText(doc: Doc, actor: string): string {
  const kind = (doc['systemEvent'] as { kind?: string } | undefined)?.kind ?? '';
  return `${actor} ${kind.replace(/_/g, ' ')}`;
}
