import fc from 'fast-check';
import { EMPTY_MEMBER_PROFILE } from '../../../libs/domain/community/member-profile.decider';
import type { ParleyEvent } from '../../../libs/domain/events';
import { normalizeUsername } from '../../../libs/domain/streams';
import type { Doc } from '../../../libs/read-store/read-store.port';
import { MEMBER_PROFILES, MEMBER_TERMS, membersProjection } from '../../../projections/members.projection';
import { at, userRegistered } from '../../../projections/testing/parley-events';
import { given } from '../../../projections/testing/projection-harness';
import { SearchMembersHandler, SearchMembersQuery } from './members.queries';

const VIEWER = '00000000-0000-4000-8000-000000000000';
// Few letters, so that short queries match often; an accent and a capital so normalisation matters.
const letter = fc.constantFrom('a', 'b', 'é', 'E', '1', ' ');
const word = fc.string({ unit: letter, minLength: 1, maxLength: 7 });

const memberArb = fc.record({
  name: fc.string({ unit: fc.constantFrom('a', 'b', 'e', '1'), minLength: 1, maxLength: 5 }),
  displayName: word,
  fullName: fc.oneof(word, fc.constant('')),
  city: fc.oneof(word, fc.constant('')),
  findable: fc.boolean(),
});

/** The meaning keyword search must keep: findable members whose key holds the query, in username order. */
function plainFilter(docs: readonly Doc[], q: string): Doc[] {
  const key = normalizeUsername(q.trim());
  return docs
    .filter((doc) => doc['findable'] === true && (doc['searchKey'] as string).includes(key))
    .sort((a, b) => ((a['usernameKey'] as string) < (b['usernameKey'] as string) ? -1 : 1));
}

describe('keyword search through the term index answers what the plain filter over every member answers', () => {
  it('for random members and queries of one to four characters, totals and pages included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(memberArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(fc.string({ unit: letter, minLength: 1, maxLength: 2 }), fc.string({ unit: letter, minLength: 3, maxLength: 4 })), { minLength: 1, maxLength: 6 }),
        fc.nat(3),
        fc.integer({ min: 1, max: 5 }),
        async (members, queries, offset, limit) => {
          const events: ParleyEvent[] = members.flatMap((m, i): ParleyEvent[] => [
            // Usernames are unique in Parley: the index makes them so here.
            userRegistered(`u-${i}`, { username: `${m.name}${i}`, displayName: m.displayName }),
            {
              type: 'MemberProfileChanged',
              data: {
                userId: `u-${i}`,
                profile: { ...EMPTY_MEMBER_PROFILE, fullName: m.fullName, city: m.city, latitude: 45, longitude: 4, findable: m.findable },
                changedBy: `u-${i}`,
                changedAt: at(5),
              },
            },
          ]);
          const scenario = await given(membersProjection, events);
          const docs = await scenario.docs(MEMBER_PROFILES);
          const handler = new SearchMembersHandler(scenario.readStore);
          for (const q of queries) {
            const expected = plainFilter(docs, q);
            const page = await handler.execute(new SearchMembersQuery({ kind: 'keyword', q }, offset, limit, VIEWER));
            expect({ q, total: page.total, ids: page.items.map((hit) => hit.userId) }).toEqual({
              q,
              total: expected.length,
              ids: expected.slice(offset, offset + limit).map((doc) => doc.id),
            });
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads a query of one or two characters from the index: its rows, not every member', async () => {
    const scenario = await given(membersProjection, [
      userRegistered('u-1', { username: 'zoe', displayName: 'Zoé' }),
      {
        type: 'MemberProfileChanged',
        data: { userId: 'u-1', profile: { ...EMPTY_MEMBER_PROFILE, city: 'Lyon', latitude: 45, longitude: 4, findable: true }, changedBy: 'u-1', changedAt: at(5) },
      },
    ]);
    const find = jest.spyOn(scenario.readStore, 'find');
    const count = jest.spyOn(scenario.readStore, 'count');
    const page = await new SearchMembersHandler(scenario.readStore).execute(new SearchMembersQuery({ kind: 'keyword', q: 'Ly' }, 0, 20, VIEWER));
    expect(page.items.map((hit) => hit.userId)).toEqual(['u-1']);
    expect(find.mock.calls.map(([collection, query]) => [collection, query?.filter])).toEqual([[MEMBER_TERMS, { term: 'ly' }]]);
    expect(count.mock.calls.map(([collection]) => collection)).toEqual([MEMBER_TERMS]);
  });
});
