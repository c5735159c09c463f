import { kindOfMatchKey, matchKeys } from '../libs/domain/contacts/contact-id';
import type { ContactEntry, Erasable } from '../libs/domain/events';
import type { Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

/**
 * Address books, matched to accounts. Collections:
 * - `contacts`: one document per (owner, match key) with the entry's names and
 *   the `userId` of the account it matches, or null;
 * - `contact_books`: per owner, the match keys of the book (what an import
 *   replaces and a removal deletes);
 * - `contact_keys`: per match key, the account it names now (`userId`) and the
 *   owners whose books hold it: when an account appears or goes, those owners'
 *   entries are matched or unmatched, with no command from anyone;
 * - `contact_accounts`: per user, the match keys their account answers to
 *   (`user:`, `username:`, and `phone:` once the number is verified).
 * Nothing here is read from another projection's collections.
 */
export const CONTACTS = 'contacts';
const BOOKS = 'contact_books';
const KEYS = 'contact_keys';
const ACCOUNTS = 'contact_accounts';

export const contactDocId = (ownerId: string, matchKey: string) => `${ownerId}:${matchKey}`;

/**
 * An import of 10,000 entries is some 20,000 document changes in one event.
 * The handlers give the event loop a turn every 500 entries, as the projector
 * does between events, so an in-process projector does not hold up requests.
 */
const YIELD_EVERY = 500;
const breathe = (done: number): Promise<void> | undefined =>
  done > 0 && done % YIELD_EVERY === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;

const strings = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
const userOf = (key: Doc | null): string | null => (typeof key?.['userId'] === 'string' ? (key['userId'] as string) : null);

/**
 * Whether the document already took this event (or a later one). Handlers
 * that compute a difference from a document's contents check it first, so a
 * re-delivered event does not diff against its own result.
 */
const seen = (doc: Doc | null, position: bigint) => doc?._position !== undefined && BigInt(doc._position) >= position;

/** An entry's fields; an erased entry (its owner is removed) keeps only its kind until the removal deletes it. */
function entryFields(matchKey: string, entry: Erasable<ContactEntry>) {
  return entry
    ? { contactId: entry.contactId, kind: entry.kind, firstName: entry.firstName, lastName: entry.lastName }
    : { contactId: null, kind: kindOfMatchKey(matchKey), firstName: null, lastName: null };
}

async function addOwner(ctx: ProjectionContext, matchKey: string, ownerId: string): Promise<void> {
  await ctx.update(
    KEYS,
    matchKey,
    (doc) => {
      const owners = strings(doc['owners']);
      return owners.includes(ownerId) ? doc : revised(doc, { owners: [...owners, ownerId] });
    },
    () => ({ id: matchKey, userId: null, owners: [] }),
  );
}

async function removeOwner(ctx: ProjectionContext, matchKey: string, ownerId: string): Promise<void> {
  await ctx.update(KEYS, matchKey, (doc) => {
    const owners = strings(doc['owners']).filter((id) => id !== ownerId);
    // A key no book holds and no account answers to is forgotten.
    return owners.length === 0 && userOf(doc) === null ? null : revised(doc, { owners });
  });
}

/** Points `matchKey` at `userId` (or at nobody) and carries that to every entry holding it. */
async function setAccount(ctx: ProjectionContext, matchKey: string, userId: string | null, onlyIf?: string): Promise<void> {
  const key = await ctx.get(KEYS, matchKey);
  if (onlyIf !== undefined && userOf(key) !== onlyIf) return;
  if (userOf(key) === userId) return;
  const owners = strings(key?.['owners']);
  await ctx.update(
    KEYS,
    matchKey,
    (doc) => (userId === null && owners.length === 0 ? null : revised(doc, { userId })),
    () => ({ id: matchKey, userId: null, owners: [] }),
  );
  for (let i = 0; i < owners.length; i++) {
    await breathe(i);
    const ownerId = owners[i]!;
    await ctx.update(CONTACTS, contactDocId(ownerId, matchKey), (doc) => revised(doc, { userId }));
  }
}

async function putEntry(ctx: ProjectionContext, ownerId: string, matchKey: string, entry: Erasable<ContactEntry>): Promise<void> {
  const id = contactDocId(ownerId, matchKey);
  const fields = entryFields(matchKey, entry);
  const current = await ctx.get(CONTACTS, id);
  if (
    current &&
    current['contactId'] === fields.contactId &&
    current['kind'] === fields.kind &&
    current['firstName'] === fields.firstName &&
    current['lastName'] === fields.lastName
  ) {
    return;
  }
  const userId = current ? ((current['userId'] as string | null) ?? null) : userOf(await ctx.get(KEYS, matchKey));
  await ctx.update(CONTACTS, id, (doc) => revised(doc, { ownerId, matchKey, ...fields, userId }), () => ({ id }));
}

/** A whole book's entries and their match keys, read in a few queries rather than two per entry. */
async function prefetchEntries(ctx: ProjectionContext, ownerId: string, keys: readonly string[]): Promise<void> {
  await ctx.prefetch(KEYS, keys);
  await ctx.prefetch(CONTACTS, keys.map((key) => contactDocId(ownerId, key)));
}

async function dropEntries(ctx: ProjectionContext, ownerId: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i++) {
    await breathe(i);
    const matchKey = keys[i]!;
    await ctx.update(CONTACTS, contactDocId(ownerId, matchKey), () => null);
    await removeOwner(ctx, matchKey, ownerId);
  }
}

/** Turns the account's keys on: a registered user, or a phone account once its number is verified. */
async function activate(ctx: ProjectionContext, userId: string, keys: readonly string[]): Promise<void> {
  await ctx.update(
    ACCOUNTS,
    userId,
    (doc) => revised(doc, { active: true, matchKeys: [...keys] }),
    () => ({ id: userId, phoneKey: null }),
  );
  for (const key of keys) await setAccount(ctx, key, userId);
}

export const contactsProjection: Projection = {
  name: 'contacts',
  version: 1,
  collections: [
    {
      name: CONTACTS,
      // The listing (by contact id) and "is this user in that book" (by matched account).
      indexes: [{ fields: ['ownerId', 'contactId', 'id'] }, { fields: ['ownerId', 'userId'] }],
    },
    { name: BOOKS, indexes: [] },
    { name: KEYS, indexes: [] },
    { name: ACCOUNTS, indexes: [] },
  ],
  handlers: {
    ContactAdded: async (event, ctx) => {
      const { ownerId, matchKey, contact } = event.data;
      const book = await ctx.get(BOOKS, ownerId);
      if (seen(book, event.position)) return;
      const keys = strings(book?.['matchKeys']);
      const fresh = !keys.includes(matchKey);
      await ctx.update(BOOKS, ownerId, (doc) => revised(doc, { matchKeys: fresh ? [...keys, matchKey] : keys }), () => ({ id: ownerId }));
      if (fresh) await addOwner(ctx, matchKey, ownerId);
      await putEntry(ctx, ownerId, matchKey, contact);
    },
    ContactsImported: async (event, ctx) => {
      const { ownerId, matchKeys: keys, contacts } = event.data;
      const book = await ctx.get(BOOKS, ownerId);
      if (seen(book, event.position)) return;
      const before = new Set(strings(book?.['matchKeys']));
      const after = new Set(keys);
      await prefetchEntries(ctx, ownerId, [...new Set([...before, ...keys])]);
      await dropEntries(ctx, ownerId, [...before].filter((key) => !after.has(key)));
      for (let i = 0; i < keys.length; i++) {
        await breathe(i);
        const key = keys[i]!;
        if (!before.has(key)) await addOwner(ctx, key, ownerId);
        await putEntry(ctx, ownerId, key, contacts?.[i] ?? null);
      }
      await ctx.update(BOOKS, ownerId, (doc) => revised(doc, { matchKeys: [...keys] }), () => ({ id: ownerId }));
    },
    ContactRenamed: async (event, ctx) => {
      const { ownerId, matchKey, name } = event.data;
      if (!name) return;
      await ctx.update(CONTACTS, contactDocId(ownerId, matchKey), (doc) => revised(doc, { firstName: name.firstName, lastName: name.lastName }));
    },
    ContactsRemoved: async (event, ctx) => {
      const { ownerId, matchKeys: removed } = event.data;
      const book = await ctx.get(BOOKS, ownerId);
      if (!book || seen(book, event.position)) return;
      const gone = new Set(removed);
      await dropEntries(ctx, ownerId, removed);
      await ctx.update(BOOKS, ownerId, (doc) => revised(doc, { matchKeys: strings(doc['matchKeys']).filter((key) => !gone.has(key)) }));
    },
    ContactsSyncRequested: async (event, ctx) => {
      // Matching is continuous; a sync sets every entry again from the account index.
      const { ownerId, requestedAt } = event.data;
      const book = await ctx.get(BOOKS, ownerId);
      if (!book || seen(book, event.position)) return;
      const keys = strings(book['matchKeys']);
      await prefetchEntries(ctx, ownerId, keys);
      for (let i = 0; i < keys.length; i++) {
        await breathe(i);
        const matchKey = keys[i]!;
        const userId = userOf(await ctx.get(KEYS, matchKey));
        const id = contactDocId(ownerId, matchKey);
        const entry = await ctx.get(CONTACTS, id);
        if (entry && (entry['userId'] ?? null) !== userId) await ctx.update(CONTACTS, id, (doc) => revised(doc, { userId }));
      }
      await ctx.update(BOOKS, ownerId, (doc) => revised(doc, { syncedAt: requestedAt }));
    },
    UserRegistered: async (event, ctx) => {
      const { userId, username } = event.data;
      if (seen(await ctx.get(ACCOUNTS, userId), event.position)) return;
      await activate(ctx, userId, [matchKeys.username(username), matchKeys.user(userId)]);
    },
    PhoneAccountCreated: async (event, ctx) => {
      const { userId, phoneKey } = event.data;
      await ctx.update(
        ACCOUNTS,
        userId,
        (doc) => revised(doc, { phoneKey }),
        () => ({ id: userId, active: false, matchKeys: [] }),
      );
    },
    PhoneVerified: async (event, ctx) => {
      // Also every sign-in by code: only the first verification changes anything.
      const { userId } = event.data;
      const account = await ctx.get(ACCOUNTS, userId);
      const phoneKey = account?.['phoneKey'];
      if (!account || account['active'] === true || account['removed'] === true || typeof phoneKey !== 'string') return;
      if (seen(account, event.position)) return;
      await activate(ctx, userId, [matchKeys.phone(phoneKey), matchKeys.user(userId)]);
    },
    UserRemoved: async (event, ctx) => {
      const { userId } = event.data;
      const account = await ctx.get(ACCOUNTS, userId);
      if (!seen(account, event.position)) {
        for (const key of strings(account?.['matchKeys'])) await setAccount(ctx, key, null, userId);
        // A tombstone: an older event re-delivered must not bring the account back.
        await ctx.update(
          ACCOUNTS,
          userId,
          (doc) => revised(doc, { active: false, removed: true, matchKeys: [] }),
          () => ({ id: userId, phoneKey: null }),
        );
      }
      // Their own address book goes with them.
      const book = await ctx.get(BOOKS, userId);
      if (!book || seen(book, event.position)) return;
      await dropEntries(ctx, userId, strings(book['matchKeys']));
      await ctx.update(BOOKS, userId, () => null);
    },
  },
};
