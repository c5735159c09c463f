import type { PresenceStatus, PrivacyLevel, PrivacySettings } from '../events';
import {
  canSee,
  needsContactCheck,
  presenceAsSeen,
  profileAsSeen,
  relationOf,
  type OwnerData,
  type ViewerRelation,
} from './visibility';

const LEVELS: readonly PrivacyLevel[] = ['none', 'contacts', 'all'];
const RELATIONS: readonly ViewerRelation[] = ['self', 'contact', 'other', 'blocked'];
const FIELDS = ['statusMessage', 'photo', 'lastSeen'] as const;
const DEVICE = { name: 'Pixel', platform: 'android', version: '14' };
const LAST_SEEN = '2024-05-01T10:05:00.000Z';

/** The rule, written out as a table: who sees a field at each level. */
const EXPECTED: Record<PrivacyLevel, Record<ViewerRelation, boolean>> = {
  none: { self: true, contact: false, other: false, blocked: false },
  contacts: { self: true, contact: true, other: false, blocked: false },
  all: { self: true, contact: true, other: true, blocked: false },
};

const owner = (privacy: Partial<PrivacySettings> = {}, status: PresenceStatus = 'online', removed = false): OwnerData => ({
  privacy: { statusMessage: 'all', photo: 'all', lastSeen: 'all', ...privacy },
  statusMessage: 'Hiking',
  photoUrl: 'https://example.org/a.png',
  presence: { status, message: 'Out and about', device: DEVICE, lastSeenAt: LAST_SEEN },
  removed,
});

/** The field as the viewer sees it, for one privacy field. */
const seenField = (field: (typeof FIELDS)[number], data: OwnerData, relation: ViewerRelation): unknown => {
  const seen = profileAsSeen(data, relation);
  if (field === 'statusMessage') return seen.statusMessage;
  if (field === 'photo') return seen.photoUrl;
  return seen.presence.lastSeenAt;
};
const storedField = (field: (typeof FIELDS)[number], data: OwnerData): unknown =>
  field === 'statusMessage' ? data.statusMessage : field === 'photo' ? data.photoUrl : data.presence.lastSeenAt;

describe('visibility', () => {
  describe('relationOf', () => {
    it('self wins, then a block (either way), then the owner’s address book', () => {
      expect(relationOf({ viewerId: 'a', ownerId: 'a', blocked: true, inOwnersContacts: false })).toBe('self');
      expect(relationOf({ viewerId: 'a', ownerId: 'b', blocked: true, inOwnersContacts: true })).toBe('blocked');
      expect(relationOf({ viewerId: 'a', ownerId: 'b', blocked: false, inOwnersContacts: true })).toBe('contact');
      expect(relationOf({ viewerId: 'a', ownerId: 'b', blocked: false, inOwnersContacts: false })).toBe('other');
    });
  });

  describe('canSee', () => {
    for (const level of LEVELS) {
      for (const relation of RELATIONS) {
        it(`${level} × ${relation} → ${EXPECTED[level][relation] ? 'sees' : 'sees nothing'}`, () => {
          expect(canSee(level, relation)).toBe(EXPECTED[level][relation]);
        });
      }
    }
  });

  describe('every field × level × relation, the other fields left open', () => {
    for (const field of FIELDS) {
      for (const level of LEVELS) {
        for (const relation of RELATIONS) {
          it(`${field}=${level}, viewer ${relation}`, () => {
            const data = owner({ [field]: level });
            const seen = seenField(field, data, relation);
            expect(seen).toBe(EXPECTED[level][relation] ? storedField(field, data) : null);
            // The other two fields stay at `all`: only a block (or nothing) hides them.
            for (const other of FIELDS.filter((f) => f !== field)) {
              expect(seenField(other, data, relation)).toBe(relation === 'blocked' ? null : storedField(other, data));
            }
          });
        }
      }
    }
  });

  describe('presence', () => {
    it('is fresh for others while the owner shows as connected', () => {
      for (const status of ['online', 'away', 'busy'] as const) {
        for (const relation of ['contact', 'other'] as const) {
          expect(presenceAsSeen(owner({}, status), relation)).toEqual({
            status,
            message: 'Out and about',
            device: DEVICE,
            lastSeenAt: LAST_SEEN,
          });
        }
      }
    });

    it('shows offline and only last seen while the owner is offline or invisible', () => {
      for (const status of ['offline', 'invisible'] as const) {
        for (const relation of ['contact', 'other'] as const) {
          expect(presenceAsSeen(owner({}, status), relation)).toEqual({
            status: 'offline',
            message: null,
            device: null,
            lastSeenAt: LAST_SEEN,
          });
        }
      }
    });

    it('shows the owner their own presence as set, invisible included, whatever their privacy', () => {
      const data = owner({ statusMessage: 'none', photo: 'none', lastSeen: 'none' }, 'invisible');
      expect(profileAsSeen(data, 'self')).toEqual({
        statusMessage: 'Hiking',
        photoUrl: 'https://example.org/a.png',
        presence: { status: 'invisible', message: 'Out and about', device: DEVICE, lastSeenAt: LAST_SEEN },
      });
    });

    it('shows a blocked viewer nothing, shaped like an offline owner hiding last seen', () => {
      for (const status of ['online', 'away', 'busy', 'invisible', 'offline'] as const) {
        expect(profileAsSeen(owner({}, status), 'blocked')).toEqual({
          statusMessage: null,
          photoUrl: null,
          presence: { status: 'offline', message: null, device: null, lastSeenAt: null },
        });
      }
      // Indistinguishable from an offline owner with last_seen none, so a block does not announce itself.
      expect(presenceAsSeen(owner({}, 'online'), 'blocked')).toEqual(
        presenceAsSeen(owner({ lastSeen: 'none' }, 'offline'), 'other'),
      );
    });

    it('last_seen privacy hides last seen while connected too, but not the status', () => {
      expect(presenceAsSeen(owner({ lastSeen: 'contacts' }, 'online'), 'other')).toEqual({
        status: 'online',
        message: 'Out and about',
        device: DEVICE,
        lastSeenAt: null,
      });
      expect(presenceAsSeen(owner({ lastSeen: 'contacts' }, 'online'), 'contact').lastSeenAt).toBe(LAST_SEEN);
    });

    it('shows nothing of a removed account, to anyone', () => {
      for (const relation of RELATIONS) {
        expect(profileAsSeen(owner({}, 'online', true), relation)).toEqual({
          statusMessage: null,
          photoUrl: null,
          presence: { status: 'offline', message: null, device: null, lastSeenAt: null },
        });
      }
    });
  });

  it('needsContactCheck: only when some field is set to contacts', () => {
    expect(needsContactCheck({ statusMessage: 'all', photo: 'none', lastSeen: 'all' })).toBe(false);
    for (const field of FIELDS) {
      expect(needsContactCheck({ statusMessage: 'all', photo: 'all', lastSeen: 'all', [field]: 'contacts' })).toBe(true);
    }
  });
});
