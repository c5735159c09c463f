import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import type { MemberStateEntry } from '../../../projections/rooms.projection';
import { decodeCursor, encodeCursor, requireMembership } from '../rooms/read-access';
import { READ_STORE } from '../infrastructure/tokens';

export interface ApplicationView {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  readonly keyGenerated: boolean;
  readonly status: 'active' | 'removed';
  readonly registeredAt: string;
  readonly removedAt: string | null;
}

const applicationView = (doc: Doc): ApplicationView => ({
  id: doc.id,
  name: doc['name'] as string,
  publicKey: doc['publicKey'] as string,
  keyGenerated: doc['keyGenerated'] === true,
  status: doc['status'] as 'active' | 'removed',
  registeredAt: doc['registeredAt'] as string,
  removedAt: (doc['removedAt'] as string | null) ?? null,
});

export class ListApplicationsQuery extends Query<{ readonly items: readonly ApplicationView[] }> {}

@QueryHandler(ListApplicationsQuery)
export class ListApplicationsHandler implements IQueryHandler<ListApplicationsQuery, { readonly items: readonly ApplicationView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute(): Promise<{ readonly items: readonly ApplicationView[] }> {
    const docs = await this.readStore.find('applications', { sort: [{ field: 'registeredAt', direction: 'asc' }] });
    return { items: docs.map(applicationView) };
  }
}

export class GetApplicationQuery extends Query<ApplicationView> {
  constructor(readonly applicationId: string) {
    super();
  }
}

@QueryHandler(GetApplicationQuery)
export class GetApplicationHandler implements IQueryHandler<GetApplicationQuery, ApplicationView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId }: GetApplicationQuery): Promise<ApplicationView> {
    const doc = await this.readStore.get('applications', applicationId);
    if (!doc) throw notFound('APPLICATION.NOT_FOUND', 'Application not found');
    return applicationView(doc);
  }
}

/** A page of a keyset listing: `next` continues it, null on the last page. */
export interface CursorPage<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

export interface ApplicationUserView {
  readonly id: string;
  readonly name: string;
  readonly displayName: string | null;
  readonly createdAt: string;
}

const applicationUserView = (doc: Doc): ApplicationUserView => ({
  id: doc.id,
  name: doc['applicationName'] as string,
  displayName: (doc['displayName'] as string | null) ?? null,
  createdAt: doc['registeredAt'] as string,
});

async function keysetPage(
  readStore: ReadStore,
  collection: string,
  filter: Record<string, string>,
  timeField: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ docs: Doc[]; next: string | null }> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor, ['string', 'string']);
  const found = await readStore.find(collection, {
    filter: { ...filter, ...(after ? { [timeField]: { $gte: after[0]! } } : {}) },
    sort: [{ field: timeField, direction: 'asc' }],
    ...(after ? { after } : {}),
    limit: limit + 1,
  });
  const docs = found.slice(0, limit);
  const last = docs[docs.length - 1];
  return { docs, next: found.length > limit && last ? encodeCursor([last[timeField] as string, last.id]) : null };
}

export class ListApplicationUsersQuery extends Query<CursorPage<ApplicationUserView>> {
  constructor(
    readonly applicationId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(ListApplicationUsersQuery)
export class ListApplicationUsersHandler implements IQueryHandler<ListApplicationUsersQuery, CursorPage<ApplicationUserView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId, cursor, limit }: ListApplicationUsersQuery): Promise<CursorPage<ApplicationUserView>> {
    const { docs, next } = await keysetPage(this.readStore, 'users', { applicationId }, 'registeredAt', cursor, limit);
    return { items: docs.map(applicationUserView), next };
  }
}

export class GetApplicationUserQuery extends Query<ApplicationUserView> {
  constructor(
    readonly applicationId: string,
    readonly userId: string,
  ) {
    super();
  }
}

@QueryHandler(GetApplicationUserQuery)
export class GetApplicationUserHandler implements IQueryHandler<GetApplicationUserQuery, ApplicationUserView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId, userId }: GetApplicationUserQuery): Promise<ApplicationUserView> {
    const doc = await this.readStore.get('users', userId);
    // Another application's user is as unknown as a missing one.
    if (!doc || doc['applicationId'] !== applicationId || doc['status'] !== 'active') throw notFound('USER.NOT_FOUND', 'User not found');
    return applicationUserView(doc);
  }
}

export interface ApplicationRoomView {
  readonly id: string;
  /** Unique within the application. */
  readonly applicationName: string;
  /** What people see. */
  readonly name: string;
  readonly createdAt: string;
  readonly closed: boolean;
  readonly memberCount: number;
}

export const applicationRoomView = (doc: Doc): ApplicationRoomView => ({
  id: doc.id,
  applicationName: (doc['applicationName'] as string | null) ?? (doc['name'] as string),
  name: doc['name'] as string,
  createdAt: doc['createdAt'] as string,
  closed: doc['closed'] === true,
  memberCount: (doc['memberCount'] as number | undefined) ?? 0,
});

export class ListApplicationRoomsQuery extends Query<CursorPage<ApplicationRoomView>> {
  constructor(
    readonly applicationId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** The application's rooms, deleted ones included (they are read-only history). */
@QueryHandler(ListApplicationRoomsQuery)
export class ListApplicationRoomsHandler implements IQueryHandler<ListApplicationRoomsQuery, CursorPage<ApplicationRoomView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId, cursor, limit }: ListApplicationRoomsQuery): Promise<CursorPage<ApplicationRoomView>> {
    const { docs, next } = await keysetPage(this.readStore, 'rooms', { applicationId }, 'createdAt', cursor, limit);
    return { items: docs.map(applicationRoomView), next };
  }
}

export interface MemberStateView {
  /** Stable: derived from the room and the user. */
  readonly memberId: string;
  readonly userId: string;
  readonly state: MemberStateEntry['state'];
  readonly invitedBy: string | null;
  readonly invitedAt: string | null;
  readonly joinedAt: string | null;
  readonly leftAt: string | null;
}

export class RoomMemberStatesQuery extends Query<{ readonly items: readonly MemberStateView[] }> {
  constructor(
    readonly actor: string,
    readonly roomId: string,
  ) {
    super();
  }
}

/** Everyone ever invited to or joined the room, in order of first appearance, with their state. */
@QueryHandler(RoomMemberStatesQuery)
export class RoomMemberStatesHandler implements IQueryHandler<RoomMemberStatesQuery, { readonly items: readonly MemberStateView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ actor, roomId }: RoomMemberStatesQuery): Promise<{ readonly items: readonly MemberStateView[] }> {
    await requireMembership(this.readStore, roomId, actor);
    const room = await this.readStore.get('rooms', roomId);
    if (!room) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return { items: memberStatesOf(room) };
  }
}

export function memberStatesOf(room: Doc): MemberStateView[] {
  const states = (room['memberStates'] ?? {}) as Record<string, MemberStateEntry>;
  return Object.entries(states)
    .sort(([, a], [, b]) => a.order - b.order)
    .map(([userId, entry]) => ({
      memberId: memberIdOf(room.id, userId),
      userId,
      state: entry.state,
      invitedBy: entry.invitedBy,
      invitedAt: entry.invitedAt,
      joinedAt: entry.joinedAt,
      leftAt: entry.leftAt,
    }));
}

export { memberIdOf } from '../../../libs/domain/rooms/member-id';
import { memberIdOf } from '../../../libs/domain/rooms/member-id';
