import { Inject, Injectable } from '@nestjs/common';
import { assertNever } from '../../../libs/domain/errors';
import { sharesReadReceipts, upcast, type CommentPosted, type ParleyEvent } from '../../../libs/domain/events';
import { historyVisibleFrom, inDeletedHistory, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { redactSecrets } from '../../../libs/domain/secret-fields';
import type { EventStore, Position, StoredEvent } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RoomStates, type RoomWithJoins } from '../rooms/room-states';
import { UserStates } from '../users/user-states';

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
 * - `user`: only that user (their own unread mark or clearing, a read marker they do not share);
 * - `room`: the room's members at that moment, each from where the room's
 *   history visibility lets them see (null: the whole history; in a `joined`
 *   room, the position of their joining), and `subject`, the user a
 *   membership event is about (so a removed member sees their own removal).
 */
export type Audience =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'room'; readonly members: ReadonlyMap<string, Position | null>; readonly subject: string | null };

export interface FeedItem {
  readonly position: Position;
  readonly message: FeedMessage;
  readonly audience: Audience;
}

export function canSee(item: Pick<FeedItem, 'audience' | 'position'>, userId: string): boolean {
  const audience = item.audience;
  switch (audience.kind) {
    case 'user':
      return audience.userId === userId;
    case 'room': {
      if (audience.subject === userId) return true;
      const from = audience.members.get(userId);
      return from === null || (from !== undefined && from <= item.position);
    }
    default:
      return assertNever(audience, 'audience');
  }
}

/**
 * A deleted comment as the feed sends it, whenever it is read: its place in
 * the room (ids, seq, sender, time) without its content.
 */
function tombstone(data: CommentPosted['data']): unknown {
  return { ...data, text: null, payload: null, ...(data.attachments ? { attachments: [] } : {}), deleted: true };
}

type Target =
  | { readonly kind: 'nobody' }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'room'; readonly roomId: string; readonly subject: string | null }
  /** A read marker: the reader, and the room's members when both share read receipts (privacy, reciprocal). */
  | { readonly kind: 'receipt'; readonly roomId: string; readonly userId: string };

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
    case 'EmailClaimed':
    case 'EmailChanged':
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
    case 'ApplicationRegistered':
    case 'ApplicationRemoved':
    case 'ApplicationUserCreated':
    case 'UserPropertiesChanged':
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
    case 'ExportJobPurged':
    case 'ImportJobRequested':
    case 'ImportJobCompleted':
    case 'ImportJobFailed':
    case 'MemberProfileChanged':
    case 'FeedbackLeft':
    case 'OrgGroupCreated':
    case 'OrgGroupChanged':
    case 'OrgGroupDeleted':
    case 'OrgGroupsPeered':
    case 'OrgGroupsUnpeered':
    case 'OrgMemberAssigned':
    case 'OrgMemberUnassigned':
    case 'OrgPolicyDefined':
    case 'OrgPolicyChanged':
    case 'OrgPolicyDeleted':
      // Profiles and feedback are read where privacy is applied, never pushed; the organisation is an admin's.
      return { kind: 'nobody' };
    case 'MemberAdded':
    case 'MemberInvited':
    case 'MemberRemoved':
    case 'MemberLeft':
      return { kind: 'room', roomId: event.data.roomId, subject: event.data.userId };
    case 'RoomCreated':
    case 'RoomClosed':
    case 'RoomPropertiesChanged':
    case 'MemberRoleChanged':
    case 'MemberMuteChanged':
    case 'RoomRenamed':
    case 'RoomTopicChanged':
    case 'RoomAvatarChanged':
    case 'RoomPermissionsChanged':
    case 'RoomHistoryVisibilityChanged':
    case 'RoomListingChanged':
    case 'MemberVoiceChanged':
    case 'HistoryDeleted':
    case 'CommentPosted':
    case 'CommentDeleted':
      return { kind: 'room', roomId: event.data.roomId, subject: null };
    case 'RoomRead':
      return { kind: 'receipt', roomId: event.data.roomId, userId: event.data.userId };
    case 'RoomMarkedUnread':
    case 'HistoryCleared':
      return { kind: 'user', userId: event.data.userId };
    // An upload and its deletion concern their owner; a room's media its members.
    case 'MediaUploaded':
    case 'MediaDeleted':
      return { kind: 'user', userId: event.data.ownerId };
    case 'MediaAttached':
      return { kind: 'room', roomId: event.data.roomId, subject: null };
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
  constructor(
    private readonly rooms: RoomStates,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly users: UserStates,
  ) {}

  /**
   * Catch-up reads old events and live delivery new ones; either way a
   * comment deleted since it was posted goes out as a tombstone (its
   * deletion is its own stream, `comment-<id>`: one point read per comment).
   */
  async resolve(events: readonly StoredEvent[]): Promise<FeedItem[]> {
    const targeted: { stored: StoredEvent; event: ParleyEvent; target: Exclude<Target, { kind: 'nobody' }> }[] = [];
    const roomIds = new Set<string>();
    for (const stored of events) {
      const event = upcast(stored.type, stored.version, stored.data);
      if (!event) continue;
      const target = targetOf(event);
      if (target.kind === 'nobody') continue;
      if (target.kind === 'room' || target.kind === 'receipt') roomIds.add(target.roomId);
      targeted.push({ stored, event, target });
    }
    const members = new Map<string, ReadonlyMap<string, Position | null>>();
    const deleted = new Set<string>();
    const rooms = new Map<string, RoomState>();
    await Promise.all([
      ...[...roomIds].map(async (roomId) => {
        const { state } = await this.rooms.loadWithJoins(roomId);
        rooms.set(roomId, state.room);
        members.set(roomId, visibleFrom(state));
      }),
      ...targeted.map(async ({ event }) => {
        if (event.type === 'CommentDeleted') deleted.add(event.data.commentId);
        else if (event.type === 'CommentPosted' && (await this.store.streamRevision(streams.comment(event.data.commentId))) !== null) {
          deleted.add(event.data.commentId);
        }
      }),
    ]);
    // A block of history deleted since (the room's state is read at the head): its comments go out as tombstones too.
    for (const { event } of targeted) {
      if (event.type !== 'CommentPosted') continue;
      const room = rooms.get(event.data.roomId);
      if (room?.status === 'active' && inDeletedHistory(room, event.data)) deleted.add(event.data.commentId);
    }
    const sharing = await this.sharingReceipts(targeted.flatMap(({ target }) => (target.kind === 'receipt' ? [target.userId, ...(members.get(target.roomId)?.keys() ?? [])] : [])));
    return targeted.map(({ stored, event, target }) => ({
      position: stored.position,
      message: {
        type: event.type,
        position: stored.position.toString(),
        streamId: stored.streamId,
        recordedAt: stored.recordedAt,
        data:
          event.type === 'CommentPosted' && deleted.has(event.data.commentId)
            ? tombstone(event.data)
            : redactSecrets(event.type, event.data),
        metadata: { correlationId: stored.metadata.correlationId ?? null },
      },
      audience: audienceOf(target, members.get(target.kind === 'user' ? '' : target.roomId) ?? new Map(), sharing),
    }));
  }

  /** Who of these users shares their read receipts (their privacy settings, from the log). */
  private async sharingReceipts(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    const unique = [...new Set(userIds)];
    const states = await Promise.all(unique.map(async (userId) => [userId, (await this.users.load(userId)).state] as const));
    return new Set(states.filter(([, state]) => state.status === 'registered' && sharesReadReceipts(state.privacy)).map(([userId]) => userId));
  }
}

function audienceOf(target: Exclude<Target, { kind: 'nobody' }>, members: ReadonlyMap<string, Position | null>, sharing: ReadonlySet<string>): Audience {
  switch (target.kind) {
    case 'user':
      return target;
    case 'room':
      return { kind: 'room', members, subject: target.subject };
    case 'receipt': {
      // Reciprocal: a reader who hides theirs is seen by nobody else, and a member who hides theirs sees no one's.
      if (!sharing.has(target.userId)) return { kind: 'user', userId: target.userId };
      return { kind: 'room', members: new Map([...members].filter(([userId]) => sharing.has(userId))), subject: target.userId };
    }
    default:
      return assertNever(target, 'target');
  }
}

/** Each current member and where their view of the room's history starts (null: all of it). */
function visibleFrom({ room, joinedAt }: RoomWithJoins): ReadonlyMap<string, Position | null> {
  const members = new Map<string, Position | null>();
  if (room.status !== 'active') return members;
  for (const userId of room.members.keys()) members.set(userId, historyVisibleFrom(room, joinedAt.get(userId) ?? null));
  return members;
}
