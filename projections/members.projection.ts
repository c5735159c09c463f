import type { MemberProfile } from '../libs/domain/events';
import { normalizeUsername } from '../libs/domain/streams';
import type { Projection, ProjectionContext } from '../libs/projection/projection';
import type { Doc } from '../libs/read-store/read-store.port';

export const MEMBER_PROFILES = 'member_profiles';
export const FEEDBACK = 'feedback';
/**
 * Blocks seen from both ends, so that search can leave out whoever blocks
 * the viewer: `of:<userId>` lists the members who block that user,
 * `by:<userId>` the members that user blocks (what a replaced list undoes).
 */
export const MEMBER_BLOCKS = 'member_blocks';

/** The members who block `userId`, for search. */
export const blockersOf = (doc: Doc | null): readonly string[] => ((doc?.['ids'] as string[] | undefined) ?? []);

const setBlocker = (ctx: ProjectionContext, blocker: string, blocked: string, on: boolean) =>
  ctx.update(MEMBER_BLOCKS, `of:${blocked}`, (doc) => ({ ...doc, ids: toggled(blockersOf(doc), blocker, on) }), () => ({ id: `of:${blocked}`, ids: [] }));
// One update per document per event: a second one would be skipped as already seen.
const setBlocked = (ctx: ProjectionContext, blocker: string, ids: (current: readonly string[]) => string[]) =>
  ctx.update(MEMBER_BLOCKS, `by:${blocker}`, (doc) => ({ ...doc, ids: ids(blockersOf(doc)) }), () => ({ id: `by:${blocker}`, ids: [] }));
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
  if (!findable) return { ...doc, findable: false, lat: null, lon: null, location: null, searchKey: null };
  const key = [doc.username, doc.displayName, profile.fullName, profile.city]
    .filter((part): part is string => part !== null && part !== '')
    .map((part) => normalizeUsername(part))
    .join('\n');
  return {
    ...doc,
    findable: true,
    lat: profile.latitude,
    lon: profile.longitude,
    location: { type: 'Point', coordinates: [profile.longitude!, profile.latitude!] },
    searchKey: key,
  };
}

const updateMember = (ctx: ProjectionContext, userId: string, change: (doc: MemberDoc) => MemberDoc) =>
  ctx.update(MEMBER_PROFILES, userId, (doc) => withSearchFields(change(doc as MemberDoc)), () => blank(userId));

export const membersProjection: Projection = {
  name: 'members',
  // v2: member_blocks (search leaves out members who block the viewer).
  version: 2,
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
      updateMember(ctx, event.data.userId, (doc) => ({
        ...doc,
        username: event.data.username,
        usernameKey: normalizeUsername(event.data.username),
        displayName: event.data.displayName,
        status: 'active',
        registeredAt: event.data.registeredAt,
      })),
    PhoneAccountCreated: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => ({
        ...doc,
        displayName: event.data.displayName,
        status: 'pending',
        registeredAt: event.data.createdAt,
      })),
    PhoneVerified: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => (doc.status === 'pending' ? { ...doc, status: 'active' } : doc)),
    ProfileUpdated: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) => ({ ...doc, displayName: event.data.displayName })),
    MemberProfileChanged: (event, ctx) =>
      updateMember(ctx, event.data.userId, (doc) =>
        doc.status === 'removed' ? doc : { ...doc, profile: event.data.profile, profileUpdatedAt: event.data.changedAt },
      ),
    FeedbackLeft: async (event, ctx) => {
      const d = event.data;
      const author = (await ctx.get(MEMBER_PROFILES, d.authorId)) as MemberDoc | null;
      const erased = author?.status === 'removed';
      await ctx.update(
        FEEDBACK,
        d.feedbackId,
        (doc) => ({
          ...doc,
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
        doc.authored.includes(d.feedbackId) ? doc : { ...doc, authored: [...doc.authored, d.feedbackId] },
      );
    },
    UserRemoved: async (event, ctx) => {
      const { userId } = event.data;
      const doc = (await ctx.get(MEMBER_PROFILES, userId)) as MemberDoc | null;
      // The author's words go with their account; the ratings stay with those they were about.
      for (const id of doc?.authored ?? []) await ctx.update(FEEDBACK, id, (f) => ({ ...f, body: null }));
      await updateMember(ctx, userId, (current) => ({
        ...blank(userId),
        username: current.username,
        usernameKey: current.usernameKey,
        registeredAt: current.registeredAt,
        status: 'removed',
        authored: current.authored,
      }));
    },
  },
};
