import { Inject, Injectable } from '@nestjs/common';
import { aliasOfEvent } from '../../../libs/domain/aliases';
import { commentsBeforeStream } from '../../../libs/domain/comments/comment.decider';
import type { CommentPosted, ParleyEvent, WebhookFormat } from '../../../libs/domain/events';
import { redactSecrets } from '../../../libs/domain/secret-fields';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { AttachmentFiles, type AttachmentFile } from '../media/attachment-files';
import { RoomStates } from '../rooms/room-states';
import { UserStates } from '../users/user-states';

/** A delivery's body in Parley's own format: the stored envelope, nothing secret. */
export interface ParleyDelivery {
  readonly id: string;
  readonly type: string;
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata: { readonly correlationId: string | null; readonly actor: string | null };
}

/**
 * Qiscus' `post_comment` webhook body (shared/seeds: Qiscus REST API,
 * "Webhook"): every field of the seed's example, with integer ids (the
 * aliases of libs/domain/aliases.ts) and emails; the message also carries
 * its own ids, key and time.
 */
export interface QiscusPostComment {
  readonly type: 'post_comment';
  readonly payload: {
    readonly from: { readonly id: number; readonly email: string; readonly name: string };
    readonly room: {
      readonly id: number;
      readonly topic_id: number;
      readonly type: 'group' | 'single';
      readonly name: string;
      readonly participants: readonly { readonly id: number; readonly email: string; readonly username: string; readonly avatar_url: string }[];
    };
    readonly message: {
      readonly id: number;
      /** 0 for a room's first comment. */
      readonly comment_before_id: number;
      readonly type: string;
      readonly text: string;
      readonly payload: Record<string, unknown>;
      readonly unique_temp_id: string;
      readonly created_at: string;
      readonly unix_timestamp: number;
      readonly room_id: number;
      readonly reply_to: string | null;
    };
  };
}

/**
 * A comment with attachments as Qiscus shows a file: type `file_attachment`,
 * `payload { url, file_name, size, caption }` (the comment's text is the
 * caption) and, without a caption, the text Qiscus' SDK gives a file
 * (`[file] <url> [/file]`). A Qiscus comment holds one file: the first
 * attachment is it; with several, `payload.files` lists them all. Only a
 * plain text comment is recast: a comment whose type and payload a client
 * chose keeps them.
 */
export function qiscusMessageOf(commentType: string, text: string, payload: Record<string, unknown> | null, files: readonly AttachmentFile[]) {
  const [first] = files;
  if (first === undefined || commentType !== 'text') return { type: commentType, text, payload: payload ?? {} };
  return {
    type: 'file_attachment',
    text: text === '' ? `[file] ${first.url} [/file]` : text,
    payload: { ...first, caption: text, ...(files.length > 1 ? { files } : {}) },
  };
}

/** Renders deliveries. Rooms and names are read at delivery time, so a replay shows today's names. */
@Injectable()
export class WebhookPayloads {
  constructor(
    private readonly rooms: RoomStates,
    private readonly users: UserStates,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly files: AttachmentFiles,
  ) {}

  async render(format: WebhookFormat, stored: StoredEvent, event: ParleyEvent): Promise<ParleyDelivery | QiscusPostComment> {
    if (format === 'qiscus' && event.type === 'CommentPosted') return this.qiscus(stored, event);
    return parleyDelivery(stored, event);
  }

  private async qiscus(stored: StoredEvent, event: CommentPosted): Promise<QiscusPostComment> {
    const d = event.data;
    const [{ state: joins }, sender, roomAlias, files] = await Promise.all([
      this.rooms.loadWithJoins(d.roomId),
      this.qiscusUser(d.senderId),
      this.firstAlias(streams.room(d.roomId)),
      this.files.of(d.attachments ?? []),
    ]);
    const room = joins.room;
    const beforeStream = commentsBeforeStream(room);
    // The comment before is at the revision before this one's (seq = revision + 1 + the comments before the stream:
    // a thread's first message, in the room's creation append).
    const [before] =
      d.seq - 1 > beforeStream
        ? (await this.store.readStream(streams.comments(d.roomId), { fromRevision: d.seq - 2 - beforeStream, maxCount: 1 })).map(aliasOfEvent)
        : d.seq > 1 && joins.openingAt !== null
          ? [joins.openingAt.alias]
          : [];
    const memberIds = room.status === 'active' ? [...room.members.keys()] : [];
    const participants = await Promise.all(
      memberIds.map(async (id) => {
        const user = await this.qiscusUser(id);
        return { id: user.id, email: user.email, username: user.name, avatar_url: user.avatarUrl };
      }),
    );
    const alias = roomAlias ?? 0;
    return {
      type: 'post_comment',
      payload: {
        from: { id: sender.id, email: sender.email, name: sender.name },
        room: {
          id: alias,
          topic_id: alias,
          type: room.status === 'active' && room.kind === 'direct' ? 'single' : 'group',
          name: room.status === 'active' ? room.name : '',
          participants,
        },
        message: {
          id: aliasOfEvent(stored),
          comment_before_id: before ?? 0,
          ...qiscusMessageOf(d.commentType, d.text, d.payload, files),
          // Qiscus always has one; a comment sent without a clientId is its own key.
          unique_temp_id: d.clientId ?? d.commentId,
          created_at: d.postedAt,
          unix_timestamp: Math.floor(Date.parse(d.postedAt) / 1000),
          room_id: alias,
          reply_to: d.replyTo,
        },
      },
    };
  }

  private async qiscusUser(userId: string): Promise<{ id: number; email: string; name: string; avatarUrl: string }> {
    const [{ state }, first] = await Promise.all([this.users.load(userId), this.firstAlias(streams.user(userId))]);
    const id = first ?? 0;
    if (state.status !== 'registered') return { id, email: '', name: userId, avatarUrl: '' };
    return { id, email: state.email ?? '', name: state.displayName ?? state.username ?? userId, avatarUrl: state.photoUrl ?? '' };
  }

  /** The alias of a stream's first event: a room's or user's integer id on the Qiscus surfaces. */
  private async firstAlias(streamId: string): Promise<number | null> {
    const [first] = await this.store.readStream(streamId, { maxCount: 1 });
    return first === undefined ? null : aliasOfEvent(first);
  }
}

export function parleyDelivery(stored: StoredEvent, event: ParleyEvent): ParleyDelivery {
  return {
    id: stored.id,
    type: event.type,
    position: stored.position.toString(),
    streamId: stored.streamId,
    revision: stored.revision,
    recordedAt: stored.recordedAt,
    data: withoutSecrets(event),
    metadata: {
      correlationId: stored.metadata.correlationId ?? null,
      actor: typeof stored.metadata.actor === 'string' ? stored.metadata.actor : null,
    },
  };
}

/** Password hashes and signing secrets never go out (libs/domain/secret-fields.ts). */
function withoutSecrets(event: ParleyEvent): unknown {
  return redactSecrets(event.type, event.data);
}
