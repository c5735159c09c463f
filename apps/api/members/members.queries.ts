import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { checkArea, distanceKm, type Area } from '../../../libs/domain/community/area';
import { notFound } from '../../../libs/domain/errors';
import type { MemberProfile } from '../../../libs/domain/events';
import type { SeenPresence } from '../../../libs/domain/presence/visibility';
import { normalizeUsername } from '../../../libs/domain/streams';
import type { Filter, ReadStore } from '../../../libs/read-store/read-store.port';
import {
  blockersOf,
  FEEDBACK,
  MEMBER_BLOCKS,
  MEMBER_PROFILES,
  MEMBER_TERM_COUNTS,
  MEMBER_TERMS,
  queryTerms,
  type FeedbackDoc,
  type MemberDoc,
} from '../../../projections/members.projection';
import { NUMERIC_IDS, numericKey } from '../../../projections/numeric-ids.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { PrivacyPolicy } from '../presence/privacy-policy';

/** A member as another signed-in member sees them. */
export interface MemberView {
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  /** As the member's privacy settings let the viewer see them (null when hidden). */
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly presence: SeenPresence;
  /** Null until the member writes one. */
  readonly profile: MemberProfile | null;
  readonly profileUpdatedAt: string | null;
  readonly registeredAt: string | null;
}

export class GetMemberQuery extends Query<MemberView> {
  constructor(
    readonly viewerId: string,
    readonly by: { readonly userId: string } | { readonly username: string },
  ) {
    super();
  }
}

/**
 * A member's public profile. A removed or pending account, and one that
 * blocks the viewer or is blocked by them, is a 404 like an unknown one.
 */
@QueryHandler(GetMemberQuery)
export class GetMemberHandler implements IQueryHandler<GetMemberQuery, MemberView> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly privacy: PrivacyPolicy,
  ) {}

  async execute({ viewerId, by }: GetMemberQuery): Promise<MemberView> {
    const doc =
      'userId' in by
        ? ((await this.readStore.get(MEMBER_PROFILES, by.userId)) as MemberDoc | null)
        : (((await this.readStore.find(MEMBER_PROFILES, { filter: { usernameKey: normalizeUsername(by.username) }, limit: 1 }))[0] ??
            null) as MemberDoc | null);
    if (!doc || doc.status !== 'active') throw notFound('USER.NOT_FOUND', 'No such user');
    const { relation } = await this.privacy.relation(viewerId, doc.id);
    if (relation === 'blocked') throw notFound('USER.NOT_FOUND', 'No such user');
    const seen = await this.privacy.profile(viewerId, doc.id);
    return {
      userId: doc.id,
      username: doc.username,
      displayName: doc.displayName,
      statusMessage: seen.statusMessage,
      photoUrl: seen.photoUrl,
      presence: seen.presence,
      profile: doc.profile,
      profileUpdatedAt: doc.profileUpdatedAt,
      registeredAt: doc.registeredAt,
    };
  }
}

/** One search result: who, where, and how far from the centre (area searches). */
export interface MemberHit {
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly profile: MemberProfile;
  /** Kilometres from the area's centre; null for a keyword search. */
  readonly distanceKm: number | null;
}

export interface MemberSearchPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly items: readonly MemberHit[];
}

export type MemberSearch =
  | { readonly kind: 'keyword'; readonly q: string }
  | { readonly kind: 'area'; readonly area: Area };

export class SearchMembersQuery extends Query<MemberSearchPage> {
  constructor(
    readonly search: MemberSearch,
    readonly offset: number,
    readonly limit: number,
    /** Who searches: members who block them are left out. */
    readonly viewerId: string,
  ) {
    super();
  }
}

/**
 * Only findable members (an active account whose profile says so, with a
 * place). Keyword: username, names and city, in username order; the
 * match is checked only on the index rows of the query's rarest trigram
 * (member_terms), which carry the key and the username. Area: the
 * box by a range on latitude (the index's), longitude filtered in the scan;
 * ordered by distance from the centre, which needs every match's
 * coordinates (two numbers each) before the page's documents are read.
 */
@QueryHandler(SearchMembersQuery)
export class SearchMembersHandler implements IQueryHandler<SearchMembersQuery, MemberSearchPage> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ search, offset, limit, viewerId }: SearchMembersQuery): Promise<MemberSearchPage> {
    // A member who blocks the viewer is not there for them (promise 7); usually nobody does, and nothing changes.
    const hidden = new Set(blockersOf(await this.readStore.get(MEMBER_BLOCKS, `of:${viewerId}`)));
    if (search.kind === 'keyword') {
      const key = normalizeUsername(search.q.trim());
      const rarest = key === '' ? null : await this.rarestTerm(key);
      if (rarest === NOBODY) return { total: 0, offset, limit, items: [] };
      // Through the index: the rows of the rarest term carry the key and the order, one per findable member holding it.
      // A query shorter than a trigram is its own term: its rows are exactly the matches, nothing to check.
      const [collection, idField, filter]: [string, string, Filter] =
        rarest === null
          ? [MEMBER_PROFILES, 'id', { findable: true }]
          : [MEMBER_TERMS, 'userId', rarest === key ? { term: rarest } : { term: rarest, searchKey: { $contains: key } }];
      const sort = [{ field: 'usernameKey', direction: 'asc' } as const];
      // The hidden few may sit anywhere before the page: read ids up to its end plus them, then the page's documents.
      const [total, hiddenMatches, rows] = await Promise.all([
        this.readStore.count(collection, filter),
        hidden.size === 0 ? 0 : this.readStore.count(collection, { ...filter, [idField]: { $in: [...hidden] } }),
        this.readStore.find(collection, { filter, sort, ...(hidden.size === 0 ? { offset, limit } : { limit: offset + limit + hidden.size }), fields: [idField] }),
      ]);
      const ids = rows.map((row) => row[idField] as string).filter((id) => !hidden.has(id));
      const page = hidden.size === 0 ? ids : ids.slice(offset, offset + limit);
      const docs = new Map(((await this.readStore.getMany(MEMBER_PROFILES, page)) as MemberDoc[]).map((d) => [d.id, d]));
      return { total: total - hiddenMatches, offset, limit, items: page.flatMap((id) => (docs.has(id) ? [hit(docs.get(id)!, null)] : [])) };
    }
    const area = checkArea(search.area);
    const inBox = await this.readStore.find(MEMBER_PROFILES, {
      filter: { findable: true, lat: { $gte: area.minLat, $lte: area.maxLat }, lon: { $gte: area.minLon, $lte: area.maxLon } },
      sort: [{ field: 'lat', direction: 'asc' }],
      fields: ['lat', 'lon'],
    });
    const ranked = inBox
      .filter((doc) => !hidden.has(doc.id))
      .map((doc) => ({ id: doc.id, distance: distanceKm(area.centerLat, area.centerLon, doc['lat'] as number, doc['lon'] as number) }))
      .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = ranked.slice(offset, offset + limit);
    const docs = new Map(((await this.readStore.getMany(MEMBER_PROFILES, page.map((p) => p.id))) as MemberDoc[]).map((d) => [d.id, d]));
    const items = page.flatMap((p) => {
      const doc = docs.get(p.id);
      return doc && doc.profile ? [hit(doc, Math.round(p.distance * 1000) / 1000)] : [];
    });
    return { total: ranked.length, offset, limit, items };
  }

  /**
   * The query's term held by the fewest members: its rows hold every match.
   * Null for an empty query (every findable member answers); NOBODY when
   * some term of it no member holds.
   */
  private async rarestTerm(key: string): Promise<string | typeof NOBODY | null> {
    const terms = queryTerms(key);
    if (terms.length === 0) return null;
    const counted = new Map((await this.readStore.getMany(MEMBER_TERM_COUNTS, terms)).map((doc) => [doc.id, doc['members'] as number]));
    let rarest = terms[0]!;
    let fewest = Infinity;
    for (const term of terms) {
      const members = counted.get(term) ?? 0;
      if (members < fewest) [rarest, fewest] = [term, members];
    }
    return fewest === 0 ? NOBODY : rarest;
  }
}

const NOBODY = Symbol('no member holds a term of the query');

const hit = (doc: MemberDoc, distance: number | null): MemberHit => ({
  userId: doc.id,
  username: doc.username,
  displayName: doc.displayName,
  profile: doc.profile!,
  distanceKm: distance,
});

export interface FeedbackView {
  readonly id: string;
  readonly authorId: string;
  readonly authorUsername: string | null;
  readonly subjectId: string;
  readonly rating: string;
  /** Null once its author's account is erased. */
  readonly body: string | null;
  readonly stay: string;
  readonly relation: string;
  readonly leftAt: string;
}

export class ListFeedbackQuery extends Query<FeedbackView[]> {
  constructor(readonly subjectId: string) {
    super();
  }
}

/** Feedback about a member, newest first. */
@QueryHandler(ListFeedbackQuery)
export class ListFeedbackHandler implements IQueryHandler<ListFeedbackQuery, FeedbackView[]> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ subjectId }: ListFeedbackQuery): Promise<FeedbackView[]> {
    const subject = (await this.readStore.get(MEMBER_PROFILES, subjectId)) as MemberDoc | null;
    if (!subject || subject.status !== 'active') throw notFound('USER.NOT_FOUND', 'No such user');
    const docs = (await this.readStore.find(FEEDBACK, {
      filter: { subjectId },
      sort: [{ field: 'leftAt', direction: 'desc' }],
      limit: 1000,
    })) as FeedbackDoc[];
    const authors = new Map(
      ((await this.readStore.getMany(MEMBER_PROFILES, [...new Set(docs.map((d) => d.authorId))])) as MemberDoc[]).map((a) => [a.id, a]),
    );
    return docs.map((d) => ({
      id: d.id,
      authorId: d.authorId,
      authorUsername: authors.get(d.authorId)?.username ?? null,
      subjectId: d.subjectId,
      rating: d.rating,
      body: d.body,
      stay: d.stay,
      relation: d.relation,
      leftAt: d.leftAt,
    }));
  }
}

/** The Parley id behind a numeric user or thread id (Warmshowers' `uid`, thread ids); null when none. */
export class ResolveNumericIdQuery extends Query<string | null> {
  constructor(
    readonly kind: 'user' | 'room',
    readonly numeric: number,
  ) {
    super();
  }
}

@QueryHandler(ResolveNumericIdQuery)
export class ResolveNumericIdHandler implements IQueryHandler<ResolveNumericIdQuery, string | null> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ kind, numeric }: ResolveNumericIdQuery): Promise<string | null> {
    const doc = await this.readStore.get(NUMERIC_IDS, numericKey(kind, numeric));
    return doc ? (doc['target'] as string) : null;
  }
}
