import type { PresenceDevice, PresenceStatus, PrivacyLevel, PrivacySettings } from '../events';
import { showsConnected } from './presence.decider';

/**
 * What a viewer sees of another user's profile and presence (Windu's privacy
 * rules). Every endpoint that shows a status message, a photo, presence or
 * last seen of someone else goes through here; the API only works out the
 * viewer's relation to the owner.
 *
 * - `self`: the owner; sees everything as set, `invisible` included.
 * - `blocked`: either of the two blocked the other; sees nothing, and in the
 *   same shape as an offline owner who hides last seen, so a block does not
 *   announce itself.
 * - `contact`: the viewer is in the owner's address book (an entry matched to
 *   the viewer's account); sees fields set to `contacts` or `all`.
 * - `other`: anyone else; sees fields set to `all`.
 */
export type ViewerRelation = 'self' | 'contact' | 'other' | 'blocked';

export function relationOf(input: {
  readonly viewerId: string;
  readonly ownerId: string;
  /** Either blocked the other. */
  readonly blocked: boolean;
  /** The viewer is in the owner's address book. */
  readonly inOwnersContacts: boolean;
}): ViewerRelation {
  if (input.viewerId === input.ownerId) return 'self';
  if (input.blocked) return 'blocked';
  return input.inOwnersContacts ? 'contact' : 'other';
}

/** Whether a viewer with this relation sees a field the owner set to `level`. */
export function canSee(level: PrivacyLevel, relation: ViewerRelation): boolean {
  switch (relation) {
    case 'self':
      return true;
    case 'blocked':
      return false;
    case 'contact':
      return level === 'all' || level === 'contacts';
    case 'other':
      return level === 'all';
  }
}

/** Whether telling `contact` from `other` matters for this owner (any field set to `contacts`). */
export const needsContactCheck = (privacy: PrivacySettings): boolean =>
  privacy.statusMessage === 'contacts' || privacy.photo === 'contacts' || privacy.lastSeen === 'contacts';

/** The owner's data as stored (read models or decision state). */
export interface OwnerData {
  readonly privacy: PrivacySettings;
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly presence: {
    readonly status: PresenceStatus;
    readonly message: string | null;
    readonly device: PresenceDevice | null;
    readonly lastSeenAt: string | null;
  };
  /** The account was removed: nothing of it is shown. */
  readonly removed: boolean;
}

export interface SeenPresence {
  /** For others `offline` whenever the owner is offline or invisible. */
  readonly status: PresenceStatus;
  /** Only while the owner shows as connected (or to the owner). */
  readonly message: string | null;
  readonly device: PresenceDevice | null;
  /** Subject to the owner's `last_seen` privacy. */
  readonly lastSeenAt: string | null;
}

export interface SeenProfile {
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly presence: SeenPresence;
}

const NOTHING: SeenPresence = { status: 'offline', message: null, device: null, lastSeenAt: null };

export function presenceAsSeen(owner: OwnerData, relation: ViewerRelation): SeenPresence {
  if (owner.removed) return NOTHING;
  const { status, message, device, lastSeenAt } = owner.presence;
  if (relation === 'self') return { status, message, device, lastSeenAt };
  if (relation === 'blocked') return NOTHING;
  const seenAt = canSee(owner.privacy.lastSeen, relation) ? lastSeenAt : null;
  return showsConnected(status)
    ? { status, message, device, lastSeenAt: seenAt }
    : { status: 'offline', message: null, device: null, lastSeenAt: seenAt };
}

export function profileAsSeen(owner: OwnerData, relation: ViewerRelation): SeenProfile {
  if (owner.removed) return { statusMessage: null, photoUrl: null, presence: NOTHING };
  return {
    statusMessage: canSee(owner.privacy.statusMessage, relation) ? owner.statusMessage : null,
    photoUrl: canSee(owner.privacy.photo, relation) ? owner.photoUrl : null,
    presence: presenceAsSeen(owner, relation),
  };
}
