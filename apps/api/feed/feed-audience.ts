import { Injectable } from '@nestjs/common';
import { assertNever } from '../../../libs/domain/errors';
import { upcast, type ParleyEvent } from '../../../libs/domain/events';
import { redactSecrets } from '../../../libs/domain/secret-fields';
import type { Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { RoomStates } from '../rooms/room-states';

/** What a feed client receives for one event: the envelope without ids, versions, actors or anything secret. */
export interface FeedMessage {
  readonly type: string;
  /** The log position, as a decimal string; also the SSE `id`. */
  readonly position: string;
  readonly streamId: string;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata: { readonly correlationId: string | null };
}

/**
 * Who may see an event, decided once per event when it is handed out:
 * - `user`: only that user (their own read marker);
 * - `room`: the room's members at that moment, and `subject`, the user a
 *   membership event is about (so a removed member sees their own removal).
 */
export type Audience =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'room'; readonly members: ReadonlyMap<string, unknown>; readonly subject: string | null };

export interface FeedItem {
  readonly position: Position;
  readonly message: FeedMessage;
  readonly audience: Audience;
}

export function canSee(audience: Audience, userId: string): boolean {
  switch (audience.kind) {
    case 'user':
      return audience.userId === userId;
    case 'room':
      return audience.subject === userId || audience.members.has(userId);
    default:
      return assertNever(audience, 'audience');
  }
}

type Target =
  | { readonly kind: 'nobody' }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'room'; readonly roomId: string; readonly subject: string | null };

/**
 * The feed's whitelist: every event type is named here, so a new type stays
 * out of every feed until someone decides who may see it. Users' own events
 * (credentials), webhooks (secrets) and admin jobs never go out.
 */
function targetOf(event: ParleyEvent): Target {
  switch (event.type) {
    case 'UsernameClaimed':
    case 'UserRegistered':
    case 'PhoneClaimed':
    case 'PhoneAccountCreated':
    case 'VerificationCodeIssued':
    case 'VerificationCodeFailed':
    case 'PhoneVerified':
    case 'PasswordChanged':
    case 'ProfileUpdated':
    case 'StatusMessageChanged':
    case 'ProfilePhotoChanged':
    case 'PrivacySettingsChanged':
    case 'UserRemoved':
    case 'TokenFamilyStarted':
    case 'RefreshTokenRotated':
    case 'TokenFamilyRevoked':
    case 'ApiKeyCreated':
    case 'ApiKeyRevoked':
    case 'ContactAdded':
    case 'ContactsImported':
    case 'ContactRenamed':
    case 'ContactsRemoved':
    case 'ContactsSyncRequested':
    case 'ContactBlocked':
    case 'ContactUnblocked':
    case 'BlockListReplaced':
    case 'PresenceChanged':
    case 'WebhookRegistered':
    case 'WebhookUpdated':
    case 'WebhookRemoved':
    case 'WebhookPaused':
    case 'WebhookResumed':
    case 'ExportJobRequested':
    case 'ExportJobCompleted':
    case 'ExportJobFailed':
    case 'ExportJobDeleted':
    case 'ImportJobRequested':
    case 'ImportJobCompleted':
    case 'ImportJobFailed':
      return { kind: 'nobody' };
    case 'MemberAdded':
    case 'MemberRemoved':
    case 'MemberLeft':
      return { kind: 'room', roomId: event.data.roomId, subject: event.data.userId };
    case 'RoomCreated':
    case 'MemberRoleChanged':
    case 'MemberMuteChanged':
    case 'RoomRenamed':
    case 'RoomTopicChanged':
    case 'RoomAvatarChanged':
    case 'RoomPermissionsChanged':
    case 'CommentPosted':
    case 'CommentDeleted':
      return { kind: 'room', roomId: event.data.roomId, subject: null };
    case 'RoomRead':
    case 'RoomMarkedUnread':
      return { kind: 'user', userId: event.data.userId };
    default:
      return assertNever(event, 'event');
  }
}

/**
 * Decides the audience of events at delivery time from the rooms' decision
 * state (the log, not a read model, so it never lags behind the event). One
 * room state load per room per batch, shared by every client.
 */
@Injectable()
export class FeedAudience {
  constructor(private readonly rooms: RoomStates) {}

  async resolve(events: readonly StoredEvent[]): Promise<FeedItem[]> {
    const targeted: { stored: StoredEvent; event: ParleyEvent; target: Exclude<Target, { kind: 'nobody' }> }[] = [];
    const roomIds = new Set<string>();
    for (const stored of events) {
      const event = upcast(stored.type, stored.version, stored.data);
      if (!event) continue;
      const target = targetOf(event);
      if (target.kind === 'nobody') continue;
      if (target.kind === 'room') roomIds.add(target.roomId);
      targeted.push({ stored, event, target });
    }
    const members = new Map<string, ReadonlyMap<string, unknown>>();
    await Promise.all(
      [...roomIds].map(async (roomId) => {
        const { state } = await this.rooms.load(roomId);
        members.set(roomId, state.status === 'active' ? state.members : new Map());
      }),
    );
    return targeted.map(({ stored, event, target }) => ({
      position: stored.position,
      message: {
        type: event.type,
        position: stored.position.toString(),
        streamId: stored.streamId,
        recordedAt: stored.recordedAt,
        data: redactSecrets(event.type, event.data),
        metadata: { correlationId: stored.metadata.correlationId ?? null },
      },
      audience:
        target.kind === 'user'
          ? target
          : { kind: 'room', members: members.get(target.roomId) ?? new Map(), subject: target.subject },
    }));
  }
}
