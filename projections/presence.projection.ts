import { DEFAULT_PRIVACY, type PresenceDevice, type PresenceStatus, type PrivacySettings } from '../libs/domain/events';
import { evolvePresence, initialPresenceState, type PresenceState } from '../libs/domain/presence/presence.decider';
import type { Doc } from '../libs/read-store/read-store.port';
import type { Projection, ProjectionContext } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const PRESENCE = 'presence';

/**
 * One document per active account (id = user id) holding everything the
 * privacy rule needs to answer "what may this viewer see of this user":
 * presence as last set (status, message, device), last seen, who changed it,
 * and, copied from the user's other streams, the status message, photo URL,
 * privacy settings and the ids the user blocked. So a view of 5,000 users is
 * one `getMany` here. Raw, as the owner and administrators see it; what others
 * see is decided when it is read (libs/domain/presence/visibility.ts).
 *
 * Accounts start `offline` (UserRegistered, or PhoneVerified for phone
 * accounts), so the admin listing covers every user. `UserRemoved` blanks
 * every personal field and marks the document removed.
 */
export const presenceProjection: Projection = {
  name: 'presence',
  version: 1,
  collections: [{ name: PRESENCE, indexes: [{ fields: ['status'] }] }],
  handlers: {
    UserRegistered: async (event, ctx) => {
      await ctx.update(PRESENCE, event.data.userId, (doc) => doc, () => newDoc(event.data.userId));
    },
    // A phone account counts from its verification (later sign-ins verify again: the document stays as it is).
    PhoneVerified: async (event, ctx) => {
      await ctx.update(PRESENCE, event.data.userId, (doc) => doc, () => newDoc(event.data.userId));
    },
    PresenceChanged: async (event, ctx) => {
      const { userId } = event.data;
      await ctx.update(
        PRESENCE,
        userId,
        (doc) => (doc['removed'] === true ? doc : revised(doc, { ...presenceFields(evolvePresence(presenceStateOf(doc), event)) })),
        () => newDoc(userId),
      );
    },
    StatusMessageChanged: async (event, ctx) => {
      await live(ctx, event.data.userId, (doc) => revised(doc, { statusMessage: event.data.message }));
    },
    ProfilePhotoChanged: async (event, ctx) => {
      await live(ctx, event.data.userId, (doc) => revised(doc, { photoUrl: event.data.photoUrl }));
    },
    PrivacySettingsChanged: async (event, ctx) => {
      const { statusMessage, photo, lastSeen } = event.data.settings;
      await live(ctx, event.data.userId, (doc) => revised(doc, { privacy: { statusMessage, photo, lastSeen } }));
    },
    ContactBlocked: async (event, ctx) => {
      const { userId, blockedUserId } = event.data;
      await live(ctx, userId, (doc) => revised(doc, { blocked: [...blockedOf(doc).filter((id) => id !== blockedUserId), blockedUserId] }));
    },
    ContactUnblocked: async (event, ctx) => {
      const { userId, blockedUserId } = event.data;
      await live(ctx, userId, (doc) => revised(doc, { blocked: blockedOf(doc).filter((id) => id !== blockedUserId) }));
    },
    BlockListReplaced: async (event, ctx) => {
      await live(ctx, event.data.userId, (doc) => revised(doc, { blocked: [...new Set(event.data.blockedUserIds)] }));
    },
    UserRemoved: async (event, ctx) => {
      await ctx.update(PRESENCE, event.data.userId, (doc) => revised(doc, {
        status: 'offline',
        message: null,
        device: null,
        statusMessage: null,
        photoUrl: null,
        blocked: [],
        removed: true,
      }));
    },
  },
};

/** Changes an account's document unless it was removed (nothing changes a removed account). */
const live = (ctx: ProjectionContext, userId: string, change: (doc: Doc) => Doc): Promise<void> =>
  ctx.update(PRESENCE, userId, (doc) => (doc['removed'] === true ? doc : change(doc)));

function presenceFields(state: PresenceState): Record<string, unknown> {
  return {
    status: state.status,
    message: state.message,
    device: state.device,
    lastSeenAt: state.lastSeenAt,
    changedAt: state.changedAt,
    changedBy: state.changedBy,
  };
}

function newDoc(userId: string): Doc {
  return {
    id: userId,
    ...presenceFields(initialPresenceState),
    statusMessage: null,
    photoUrl: null,
    privacy: DEFAULT_PRIVACY,
    blocked: [],
    removed: false,
  };
}

/** A presence document read back as decision-shaped state (missing fields as the initial state has them). */
export function presenceStateOf(doc: Doc | null | undefined): PresenceState {
  if (!doc) return initialPresenceState;
  return {
    status: (doc['status'] as PresenceStatus | undefined) ?? 'offline',
    message: (doc['message'] as string | null | undefined) ?? null,
    device: (doc['device'] as PresenceDevice | null | undefined) ?? null,
    lastSeenAt: (doc['lastSeenAt'] as string | null | undefined) ?? null,
    changedAt: (doc['changedAt'] as string | null | undefined) ?? null,
    changedBy: (doc['changedBy'] as string | null | undefined) ?? null,
  };
}

/** The privacy settings on a presence document. */
export const privacyOf = (doc: Doc | null | undefined): PrivacySettings =>
  (doc?.['privacy'] as PrivacySettings | undefined) ?? DEFAULT_PRIVACY;

/** The ids the document's user blocked. */
export const blockedOf = (doc: Doc | null | undefined): readonly string[] => (doc?.['blocked'] as string[] | undefined) ?? [];
