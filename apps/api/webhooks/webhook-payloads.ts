import { Injectable } from '@nestjs/common';
import type { CommentPosted, ParleyEvent, WebhookFormat } from '../../../libs/domain/events';
import { redactSecrets } from '../../../libs/domain/secret-fields';
import type { StoredEvent } from '../../../libs/event-store/event-store.port';
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

/** Qiscus' `post_comment` webhook body (shared/seeds: Qiscus REST API, "Webhook"). */
export interface QiscusPostComment {
  readonly type: 'post_comment';
  readonly payload: {
    readonly from: { readonly id: string; readonly name: string };
    readonly room: {
      readonly id: string;
      readonly topic_id: string;
      readonly type: 'group' | 'single';
      readonly name: string;
      readonly participants: readonly { readonly id: string; readonly username: string; readonly avatar_url: string | null }[];
    };
    readonly message: {
      readonly id: string;
      readonly comment_before_id: string | null;
      readonly type: string;
      readonly text: string;
      readonly payload: Record<string, unknown>;
      readonly unique_temp_id: string;
      readonly created_at: string;
      readonly unix_timestamp: number;
      readonly room_id: string;
      readonly reply_to: string | null;
    };
  };
}

/** Renders deliveries. Rooms and names are read at delivery time, so a replay shows today's names. */
@Injectable()
export class WebhookPayloads {
  constructor(
    private readonly rooms: RoomStates,
    private readonly users: UserStates,
  ) {}

  async render(format: WebhookFormat, stored: StoredEvent, event: ParleyEvent): Promise<ParleyDelivery | QiscusPostComment> {
    if (format === 'qiscus' && event.type === 'CommentPosted') return this.qiscus(event);
    return parleyDelivery(stored, event);
  }

  private async qiscus(event: CommentPosted): Promise<QiscusPostComment> {
    const d = event.data;
    const [{ state: room }, sender] = await Promise.all([this.rooms.load(d.roomId), this.displayName(d.senderId)]);
    const memberIds = room.status === 'active' ? [...room.members.keys()] : [];
    const participants = await Promise.all(
      memberIds.map(async (id) => ({ id, username: await this.displayName(id), avatar_url: null })),
    );
    return {
      type: 'post_comment',
      payload: {
        from: { id: d.senderId, name: sender },
        room: {
          id: d.roomId,
          topic_id: d.roomId,
          type: room.status === 'active' && room.kind === 'direct' ? 'single' : 'group',
          name: room.status === 'active' ? room.name : '',
          participants,
        },
        message: {
          id: d.commentId,
          comment_before_id: d.previousId,
          type: d.commentType,
          text: d.text,
          payload: d.payload ?? {},
          // Qiscus always has one; a comment sent without a clientId is its own key.
          unique_temp_id: d.clientId ?? d.commentId,
          created_at: d.postedAt,
          unix_timestamp: Math.floor(Date.parse(d.postedAt) / 1000),
          room_id: d.roomId,
          reply_to: d.replyTo,
        },
      },
    };
  }

  private async displayName(userId: string): Promise<string> {
    const { state } = await this.users.load(userId);
    return state.status === 'registered' ? (state.displayName ?? state.username ?? userId) : userId;
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
