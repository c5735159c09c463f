import { INDEXED_QUERIES } from '../libs/read-store/conformance/indexed-queries';
import { indexServes, withIdTieBreaker } from '../libs/read-store/read-store.port';
import { parleyProjections } from './index';

/*
 * Every hot query has an index that answers it in its sort order: filter
 * fields, then sort fields, then the `id` tie-breaker, one direction
 * (decision 0022). MongoDB's plans are checked where a server runs
 * (libs/read-store/conformance); this checks the declarations everywhere.
 */
const specs = new Map(parleyProjections.flatMap((p) => p.collections).map((c) => [c.name, c]));

describe('read-model indexes', () => {
  it.each(INDEXED_QUERIES.map((q) => [q.label, q] as const))('%s has an index that serves its sort', (_label, query) => {
    const spec = specs.get(query.collection);
    expect(spec).toBeDefined();
    const serving = spec!.indexes.filter((index) => indexServes(index, query.options));
    expect(serving.map((index) => index.fields.join(','))).not.toEqual([]);
  });

  it('the id tie-breaker follows the last key, so one ascending index serves both directions', () => {
    expect(withIdTieBreaker([{ field: 'ord', direction: 'desc' }])).toEqual([
      { field: 'ord', direction: 'desc' },
      { field: 'id', direction: 'desc' },
    ]);
    expect(withIdTieBreaker(undefined)).toEqual([{ field: 'id', direction: 'asc' }]);
    const explicit = [
      { field: 'ord', direction: 'desc' },
      { field: 'id', direction: 'asc' },
    ] as const;
    expect(withIdTieBreaker(explicit)).toBe(explicit);
  });

  it('indexServes: equality fields first in any order, then the sort keys and id in order', () => {
    const timeline = { filter: { roomId: 'r' }, sort: [{ field: 'ord', direction: 'desc' as const }] };
    expect(indexServes({ fields: ['roomId', 'ord', 'id'] }, timeline)).toBe(true);
    // Without the tie-breaker MongoDB sorts the room's entries in memory.
    expect(indexServes({ fields: ['roomId', 'ord'] }, timeline)).toBe(false);
    expect(indexServes({ fields: ['ord', 'roomId', 'id'] }, timeline)).toBe(false);
    const list = { filter: { active: true, userId: 'u' }, sort: [{ field: 'at', direction: 'asc' as const }] };
    expect(indexServes({ fields: ['userId', 'active', 'at', 'id'] }, list)).toBe(true);
    // A range is no equality: it cannot be part of the prefix.
    expect(indexServes({ fields: ['roomId', 'ord', 'id'] }, { filter: { roomId: { $gt: 'a' } }, sort: timeline.sort })).toBe(false);
    // Mixed directions need an index with directions, which the port does not declare.
    expect(
      indexServes(
        { fields: ['roomId', 'ord', 'id'] },
        { filter: { roomId: 'r' }, sort: [{ field: 'ord', direction: 'desc' }, { field: 'id', direction: 'asc' }] },
      ),
    ).toBe(false);
  });
});
