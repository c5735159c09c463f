import { normalizeUsername } from '../libs/domain/streams';
import type { Projection } from '../libs/read-store/projection';

/** Registered users, as other users see them. Never holds credentials. */
export const usersProjection: Projection = {
  name: 'users',
  version: 1,
  collections: [{ name: 'users', indexes: [{ fields: ['usernameKey'], unique: true }] }],
  handlers: {
    UserRegistered: async (event, ctx) => {
      const { userId, username, displayName, registeredAt } = event.data;
      await ctx.update(
        'users',
        userId,
        (doc) => ({ ...doc, username, usernameKey: normalizeUsername(username), displayName, registeredAt }),
        () => ({ id: userId }),
      );
    },
  },
};
