import type { MemberProfile } from '../libs/domain/events';
import { normalizeUsername } from '../libs/domain/streams';
import type { Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';
import { revised } from '../libs/projection/revised';

export const MEMBER_PROFILES = 'member_profiles';
export const FEEDBACK = 'feedback';
/**
 * Blocks seen from both ends, so that search can leave out whoever blocks
 * the viewer: `of:<userId>` lists the members who block that user,
 * `by:<userId>` the members that user blocks (what a replaced list undoes).
 */
export const MEMBER_BLOCKS = 'member_blocks';
/**
 * Keyword search's index: one row `{ term, userId }` per distinct term of a
 * findable member's search key, a term being any run of one to three
 * characters. N-grams, not words or prefixes, because keyword search matches
 * any substring of the key (a word's middle too): a substring of three
 * characters or more has all its trigrams in the key, so the members holding
 * its rarest trigram are a superset of the matches; a query of one or two
 * characters is itself a term, whose rows are exactly the matches.
 */
export const MEMBER_TERMS = 'member_terms';
/**
 * How many members hold each term (`{ id: term, members }`, absent at
 * zero): search picks a query's rarest term with one read by ids instead
 * of counting the rows of terms every member shares.
 */
export const MEMBER_TERM_COUNTS = 'member_term_counts';
/** Length of the longest indexed term (a trigram); a query that long or longer is looked up by its trigrams. */
export const TERM_LENGTH = 3;

/** The distinct runs of `length` characters of a text (by code point, so a term is always well-formed text). */
function grams(chars: readonly string[], length: number, into: Set<string>): void {
  for (let i = 0; i + length <= chars.length; i++) into.add(chars.slice(i, i + length).join(''));
}

/** The distinct terms of a search key: every run of one, two and three characters. */
export function searchTerms(key: string | null): string[] {
  if (key === null) return [];
  const chars = Array.from(key);
  const terms = new Set<string>();
  for (let length = 1; length <= TERM_LENGTH; length++) grams(chars, length, terms);
  return [...terms];
}

/**
 * The terms every match of a (normalised, non-empty) query holds: the query
 * itself when shorter than a trigram, else its trigrams.
 */
export function queryTerms(key: string): string[] {
  const chars = Array.from(key);
  if (chars.length === 0) return [];
  if (chars.length < TERM_LENGTH) return [key];
  const terms = new Set<string>();
  grams(chars, TERM_LENGTH, terms);
  return [...terms];
}

export const memberTermId = (userId: string, term: string) => `${userId}:${term}`;

/**
 * An index row: the term, its member, and what search checks and orders by
 * (the whole key, the username), so a query reads the term's rows alone.
 */
export const memberTermRow = (doc: Pick<MemberDoc, 'id' | 'searchKey' | 'usernameKey'>, term: string): Doc => ({
  id: memberTermId(doc.id, term),
  term,
  userId: doc.id,
  usernameKey: doc.usernameKey,
  searchKey: doc.searchKey,
});

/** The index rows of a member document, as the projection writes them. */
export const memberTermRows = (doc: Pick<MemberDoc, 'id' | 'searchKey' | 'usernameKey'>): Doc[] =>
  searchTerms(doc.searchKey).map((term) => memberTermRow(doc, term));

/** The members who block `userId`, for search. */
export const blockersOf = (doc: Doc | null): readonly string[] => ((doc?.['ids'] as string[] | undefined) ?? []);

const setBlocker = (ctx: ProjectionContext, blocker: string, blocked: string, on: boolean) =>
  ctx.update(MEMBER_BLOCKS, `of:${blocked}`, (doc) => revised(doc, { ids: toggled(blockersOf(doc), blocker, on) }), () => ({ id: `of:${blocked}`, ids: [] }));
// One update per document per event: a second one would be skipped as already seen.
const setBlocked = (ctx: ProjectionContext, blocker: string, ids: (current: readonly string[]) => string[]) =>
  ctx.update(MEMBER_BLOCKS, `by:${blocker}`, (doc) => revised(doc, { ids: ids(blockersOf(doc)) }), () => ({ id: `by:${blocker}`, ids: [] }));
const setBlock = (ctx: ProjectionContext, blocker: string, blocked: string, on: boolean) =>
  Promise.all([setBlocker(ctx, blocker, blocked, on), setBlocked(ctx, blocker, (current) => toggled(current, blocked, on))]);
const toggled = (ids: readonly string[], id: string, on: boolean): string[] => [...ids.filter((other) => other !== id), ...(on ? [id] : [])];

/**
 * A member as a community of hosts sees them (issue #17): handle, name, the
 * host profile and where they can be found. One document per user; the
 * search fields (`findable`, `lat`, `lon`, `searchKey`) are set only for an
 * active account that chose to be findable, so search reads nothing else.
 * `authored` lists the feedback the member wrote, so an erasure blanks it.
 */
export interface MemberDoc extends Doc {
  readonly username: string | null;
  readonly usernameKey: string | null;
  readonly displayName: string | null;
  readonly status: 'pending' | 'active' | 'removed';
  readonly registeredAt: string | null;
  readonly profile: MemberProfile | null;
  readonly profileUpdatedAt: string | null;
  readonly findable: boolean;
  readonly lat: number | null;
  readonly lon: number | null;
  /** The same place as a GeoJSON point, for MongoDB's 2dsphere index. */
  readonly location: { readonly type: 'Point'; readonly coordinates: readonly [number, number] } | null;
  readonly searchKey: string | null;
  readonly authored: readonly string[];
}

/** A piece of feedback as listed under its subject. */
export interface FeedbackDoc extends Doc {
  readonly authorId: string;
  readonly subjectId: string;
  readonly rating: string;
  readonly body: string | null;
  readonly stay: string;
  readonly relation: string;
  readonly leftAt: string;
}

const blank = (id: string): MemberDoc => ({
  id,
  username: null,
  usernameKey: null,
  displayName: null,
  status: 'pending',
  registeredAt: null,
  profile: null,
  profileUpdatedAt: null,
  findable: false,
  lat: null,
  lon: null,
  location: null,
  searchKey: null,
  authored: [],
});

/** Recomputes what search reads from what the document holds. */
function withSearchFields(doc: MemberDoc): MemberDoc {
  const profile = doc.profile;
  const findable = doc.status === 'active' && profile !== null && profile.findable && profile.latitude !== null && profile.longitude !== null;
  if (!findable) return revised(doc, { findable: false, lat: null, lon: null, location: null, searchKey: null });
  const key = [doc.username, doc.displayName, profile.fullName, profile.city]
    .filter((part): part is string => part !== null && part !== '')
    .map((part) => normalizeUsername(part))
    .join('\n');
  return revised(doc, {
    findable: true,
    lat: profile.latitude,
    lon: profile.longitude,
    location: { type: 'Point', coordinates: [profile.longitude!, profile.latitude!] },
    searchKey: key,
  });
}

/**
 * Writes the member and keeps their index rows in step: the terms of the key
 * before and after the change decide which rows go and which come. A replay
 * finds the key already changed, so it writes no row.
 */
async function updateMember(ctx: ProjectionContext, userId: string, change: (doc: MemberDoc) => MemberDoc): Promise<void> {
  const previous = ((await ctx.get(MEMBER_PROFILES, userId)) as MemberDoc | null) ?? blank(userId);
  let next = previous;
  await ctx.update(
    MEMBER_PROFILES,
    userId,
    (doc) => (next = withSearchFields(change(doc as MemberDoc))),
    () => blank(userId),
  );
  // The username is part of the key: an unchanged key leaves every row as it is.
  if (next.searchKey === previous.searchKey) return;
  const kept = new Set(searchTerms(next.searchKey));
  const gone = searchTerms(previous.searchKey).filter((term) => !kept.has(term));
  const old = new Set(searchTerms(previous.searchKey));
  for (const term of gone) {
    await ctx.update(MEMBER_TERMS, memberTermId(userId, term), () => null);
    await countTerm(ctx, term, -1);
  }
  for (const term of kept) {
    await ctx.update(MEMBER_TERMS, memberTermId(userId, term), () => memberTermRow(next, term), () => memberTermRow(next, term));
    if (!old.has(term)) await countTerm(ctx, term, 1);
  }
}

const countTerm = (ctx: ProjectionContext, term: string, by: 1 | -1) =>
  ctx.update(
    MEMBER_TERM_COUNTS,
    term,
    (doc) => {
      const members = ((doc['members'] as number | undefined) ?? 0) + by;
      return members > 0 ? revised(doc, { members }) : null;
    },
    () => ({ id: term, members: 0 }),
  );

export const membersProjection: Projection = {
  name: 'members',
  // v2: member_blocks (search leaves out members who block the viewer); v3: member_terms (keyword search's index);
  // v4: terms of one and two characters too (short queries read the index).
  version: 4,
  collections: [
    {
      name: MEMBER_PROFILES,
      // Area search: a range on latitude among findable members (and MongoDB's 2dsphere on the point);
      // keyword search in username order.
      indexes: [
        { fields: ['findable', 'lat', 'id'] },
        { fields: ['findable', 'usernameKey', 'id'] },
        { fields: ['location'], kind: 'geo' },
      ],
    },
    { name: FEEDBACK, indexes: [{ fields: ['subjectId', 'leftAt', 'id'] }] },
    { name: MEMBER_BLOCKS, indexes: [] },
    // Keyword search: a term's rows in username order (MongoDB builds the same index from this spec).
    { name: MEMBER_TERMS, indexes: [{ fields: ['term', 'usernameKey', 'id'] }] },
    { name: MEMBER_TERM_COUNTS, indexes: [] },
  ],
  handlers: {
    ContactBlocked: async (event, ctx) => {
      await setBlock(ctx, event.data.userId, event.data.blockedUserId, true);
    },
    ContactUnblocked: async (event, ctx) => {
      await setBlock(ctx, event.data.userId, event.data.blockedUserId, false);
    },
    BlockListReplaced: async (event, ctx) => {
      const blocker = event.data.userId;
      const before = new Set(blockersOf(await ctx.get(MEMBER_BLOCKS, `by:${blocker}`)));
      const after = new Set(event.data.blockedUserIds);
      for (const id of before) if (!after.has(id)) await setBlocker(ctx, blocker, id, false);
      for (const id of after) if (!before.has(id)) await setBlocker(ctx, blocker, id, true);
      await setBlocked(ctx, blocker, () => [...after]);
    },
    UserRegistered: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => revised(doc, {
        username: event.data.username,
        usernameKey: normalizeUsername(event.data.username),
        displayName: event.data.displayName,
        status: 'active',
        registeredAt: event.data.registeredAt,
      })),
    PhoneAccountCreated: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => revised(doc, {
        displayName: event.data.displayName,
        status: 'pending',
        registeredAt: event.data.createdAt,
      })),
    PhoneVerified: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => (doc.status === 'pending' ? revised(doc, { status: 'active' }) : doc)),
    ProfileUpdated: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => revised(doc, { displayName: event.data.displayName })),
    MemberProfileChanged: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) =>
        doc.status === 'removed' ? doc : revised(doc, { profile: event.data.profile, profileUpdatedAt: event.data.changedAt }),
      ),
    FeedbackLeft: async (event, ctx) => {
      const d = event.data;
      const author = (await ctx.get(MEMBER_PROFILES, d.authorId)) as MemberDoc | null;
      const erased = author?.status === 'removed';
      await ctx.update(
        FEEDBACK,
        d.feedbackId,
        (doc) => revised(doc, {
          authorId: d.authorId,
          subjectId: d.subjectId,
          rating: d.rating,
          body: erased ? null : d.body,
          stay: d.stay,
          relation: d.relation,
          leftAt: d.leftAt,
        }),
        () => ({ id: d.feedbackId }),
      );
      await updateMember(ctx, d.authorId, (doc) =>
        doc.authored.includes(d.feedbackId) ? doc : revised(doc, { authored: [...doc.authored, d.feedbackId] }),
      );
    },
    UserRemoved: async (event, ctx) => {
      const { userId } = event.data;
      const doc = (await ctx.get(MEMBER_PROFILES, userId)) as MemberDoc | null;
      // The author's words go with their account; the ratings stay with those they were about.
      for (const id of doc?.authored ?? []) await ctx.update(FEEDBACK, id, (f) => revised(f, { body: null }));
      await updateMember(ctx, userId, (current) => revised(blank(userId), {
        username: current.username,
        usernameKey: current.usernameKey,
        registeredAt: current.registeredAt,
        status: 'removed',
        authored: current.authored,
      }));
    },
  },
};
