import type { FindOptions } from '../read-store.port';

/**
 * The read models' hot queries, in the shapes their handlers send (timeline:
 * apps/api/comments/comments.queries.ts; room list: apps/api/rooms/rooms.queries.ts;
 * contacts: apps/api/contacts/contacts.queries.ts). Each must be answered
 * from an index in its sort order: checked against the declared indexes
 * everywhere (projections/read-model-indexes.unit.spec.ts) and against
 * MongoDB's query plans where a server runs (the conformance suite).
 */
export interface IndexedQuery {
  readonly label: string;
  readonly collection: string;
  readonly options: FindOptions;
}

export const INDEXED_QUERIES: readonly IndexedQuery[] = [
  {
    label: 'timeline, newest page',
    collection: 'timeline',
    options: { filter: { roomId: 'r1' }, sort: [{ field: 'ord', direction: 'desc' }], limit: 51 },
  },
  {
    label: 'timeline, page before a comment',
    collection: 'timeline',
    options: { filter: { roomId: 'r1', ord: { $lt: 120 } }, sort: [{ field: 'ord', direction: 'desc' }], limit: 51 },
  },
  {
    label: 'timeline, page after a comment',
    collection: 'timeline',
    options: { filter: { roomId: 'r1', ord: { $gt: 40 } }, sort: [{ field: 'ord', direction: 'asc' }], limit: 51 },
  },
  {
    label: 'room list, first page',
    collection: 'memberships',
    options: { filter: { userId: 'u1', active: true }, sort: [{ field: 'lastActivityAt', direction: 'desc' }], limit: 21 },
  },
  {
    label: 'room list, next page',
    collection: 'memberships',
    options: {
      filter: { userId: 'u1', active: true },
      sort: [{ field: 'lastActivityAt', direction: 'desc' }],
      after: ['2026-01-01T00:00:30.000Z', 'u1:r30'],
      limit: 21,
    },
  },
  {
    label: 'room directory, next page',
    collection: 'rooms',
    options: { filter: { listed: true }, sort: [{ field: 'name', direction: 'asc' }], after: ['General', 'r1'], limit: 21 },
  },
  {
    label: 'room members',
    collection: 'memberships',
    options: { filter: { roomId: 'r1', active: true }, sort: [{ field: 'joinedAt', direction: 'asc' }] },
  },
  {
    label: 'contacts, first page',
    collection: 'contacts',
    options: { filter: { ownerId: 'u1' }, sort: [{ field: 'contactId', direction: 'asc' }], limit: 51 },
  },
  {
    label: 'contacts, next page',
    collection: 'contacts',
    options: { filter: { ownerId: 'u1' }, sort: [{ field: 'contactId', direction: 'asc' }], after: ['c030', 'u1:c030'], limit: 51 },
  },
  {
    label: 'members, by map area',
    collection: 'member_profiles',
    options: {
      filter: { findable: true, lat: { $gte: 45.6, $lte: 45.9 }, lon: { $gte: 4.7, $lte: 5 } },
      sort: [{ field: 'lat', direction: 'asc' }],
      fields: ['lat', 'lon'],
    },
  },
  {
    label: 'members, by keyword',
    collection: 'member_profiles',
    options: { filter: { findable: true, searchKey: { $contains: 'lyon' } }, sort: [{ field: 'usernameKey', direction: 'asc' }], offset: 0, limit: 20 },
  },
  {
    label: 'members, by keyword through the rows of its rarest term',
    collection: 'member_terms',
    options: { filter: { term: 'yon', searchKey: { $contains: 'lyon' } }, sort: [{ field: 'usernameKey', direction: 'asc' }], offset: 0, limit: 20, fields: ['userId'] },
  },
  {
    label: 'feedback about a member',
    collection: 'feedback',
    options: { filter: { subjectId: 'u1' }, sort: [{ field: 'leftAt', direction: 'desc' }], limit: 1000 },
  },
];
