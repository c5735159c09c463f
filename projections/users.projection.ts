import { DEFAULT_PRIVACY, type Erasable } from '../libs/domain/events';
import { normalizeUsername } from '../libs/domain/streams';
import type { Projection } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

/**
 * Users, as other users and administrators see them. Never holds credentials
 * or phone numbers. `status`: `pending` (a phone account not verified yet:
 * listed nowhere), `active`, or `removed` (every personal field null).
 */
export const usersProjection: Projection = {
  name: 'users',
  // v3: users of applications (`applicationId`, `applicationName`) and their listing index; v4: `email` (Qiscus identifies users by it);
  // v5: `loginId`, the login holding a phone account, and the index that lists a login's accounts;
  // v6: `properties`, the custom_data an application keeps on its users.
  version: 6,
  collections: [
    {
      name: 'users',
      indexes: [
        { fields: ['usernameKey'], unique: true },
        { fields: ['status', 'registeredAt', 'id'] },
        { fields: ['applicationId', 'registeredAt', 'id'] },
        { fields: ['loginId', 'registeredAt', 'id'] },
      ],
    },
  ],
  handlers: {
    ApplicationUserCreated: async (event, ctx) => {
      const { userId, applicationId, name, displayName, createdAt } = event.data;
      await ctx.update(
        'users',
        userId,
        (doc) => revised(doc, revised(newUser(), {
          username: null,
          usernameKey: null,
          displayName,
          applicationId,
          applicationName: name,
          registeredAt: createdAt,
          status: 'active',
          searchKey: searchKeyOf(name, displayName),
        })),
        () => ({ id: userId }),
      );
    },
    UserRegistered: async (event, ctx) => {
      const { userId, username, displayName, registeredAt } = event.data;
      await ctx.update(
        'users',
        userId,
        (doc) => revised(doc, revised(newUser(), {
          username,
          usernameKey: normalizeUsername(username),
          displayName,
          registeredAt,
          status: 'active',
          searchKey: searchKeyOf(username, displayName),
        })),
        () => ({ id: userId }),
      );
    },
    PhoneAccountCreated: async (event, ctx) => {
      const { userId, displayName, createdAt, loginId } = event.data;
      await ctx.update(
        'users',
        userId,
        (doc) => revised(doc, revised(newUser(), {
          loginId,
          username: null,
          usernameKey: null,
          displayName,
          registeredAt: createdAt,
          status: 'pending',
          searchKey: searchKeyOf(null, displayName),
        })),
        () => ({ id: userId }),
      );
    },
    EmailChanged: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => revised(doc, { email: event.data.email }));
    },
    PhoneVerified: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => (doc['status'] === 'pending' ? revised(doc, { status: 'active' }) : doc));
    },
    ProfileUpdated: async (event, ctx) => {
      const { displayName } = event.data;
      await ctx.update('users', event.data.userId, (doc) => revised(doc, {
        displayName,
        searchKey: searchKeyOf((doc['username'] as string | null) ?? null, displayName),
      }));
    },
    StatusMessageChanged: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => revised(doc, { statusMessage: event.data.message }));
    },
    ProfilePhotoChanged: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => revised(doc, { photoUrl: event.data.photoUrl }));
    },
    PrivacySettingsChanged: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => revised(doc, { privacy: event.data.settings }));
    },
    UserPropertiesChanged: async (event, ctx) => {
      await ctx.update('users', event.data.userId, (doc) => revised(doc, { properties: event.data.properties }));
    },
    UserRemoved: async (event, ctx) => {
      // The username stays (a public handle, still claimed in the log); everything personal goes.
      await ctx.update('users', event.data.userId, (doc) => revised(doc, revised(newUser(), {
        status: 'removed',
        removed: true,
        removedAt: event.data.removedAt,
      })));
    },
  },
};

/** The fields every user document has, as a fresh account has them. */
const newUser = () => ({
  displayName: null,
  email: null,
  statusMessage: null,
  photoUrl: null,
  privacy: DEFAULT_PRIVACY,
  removed: false,
  searchKey: null,
  applicationId: null,
  applicationName: null,
  properties: null,
});

/**
 * What keyword search matches (`$contains`): the username and the display
 * name, normalised like usernames (NFKC, lower case), one per line so that a
 * keyword without a line break never spans both.
 */
export function searchKeyOf(username: string | null, displayName: Erasable<string>): string {
  return [username, displayName]
    .filter((part): part is string => part !== null)
    .map(normalizeSearch)
    .join('\n');
}

/** Normalises a keyword the way search keys are. */
export const normalizeSearch = (text: string): string => normalizeUsername(text);

export const DELETED_USER_NAME = 'Deleted user';

/** How a user appears in views (members, comment senders, exports). */
export interface UserSummary {
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  /** True for a removed account: shown as "Deleted user", without its handle. */
  readonly removed: boolean;
}

/**
 * The one rendering of a user document for views: a removed account shows as
 * "Deleted user" with `removed: true`. A missing document (not projected yet)
 * shows the id only.
 */
export function userSummary(doc: Doc | null | undefined, userId: string): UserSummary {
  if (doc?.['removed'] === true) return { userId, username: null, displayName: DELETED_USER_NAME, removed: true };
  return {
    userId,
    username: (doc?.['username'] as string | null | undefined) ?? null,
    displayName: (doc?.['displayName'] as string | null | undefined) ?? null,
    removed: false,
  };
}
