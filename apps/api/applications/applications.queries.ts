import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import type { MemberStateEntry } from '../../../projections/rooms.projection';
import { decodeCursor, encodeCursor, requireMembership } from '../rooms/read-access';
import { READ_STORE } from '../infrastructure/tokens';
import type { CommentView } from '../comments/comment-views';

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
  readonly imageUrl: string | null;
  /** The application's `custom_data` on the user. */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

const applicationUserView = (doc: Doc): ApplicationUserView => ({
  id: doc.id,
  name: doc['applicationName'] as string,
  displayName: (doc['displayName'] as string | null) ?? null,
  imageUrl: (doc['photoUrl'] as string | null | undefined) ?? null,
  properties: (doc['properties'] as Record<string, unknown> | null | undefined) ?? {},
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
  /** The application's `custom_data`. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export const applicationRoomView = (doc: Doc): ApplicationRoomView => ({
  id: doc.id,
  applicationName: (doc['applicationName'] as string | null) ?? (doc['name'] as string),
  name: doc['name'] as string,
  createdAt: doc['createdAt'] as string,
  closed: doc['closed'] === true,
  memberCount: (doc['memberCount'] as number | undefined) ?? 0,
  properties: (doc['properties'] as Record<string, unknown> | undefined) ?? {},
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

export class GetApplicationRoomQuery extends Query<ApplicationRoomView> {
  constructor(
    readonly applicationId: string,
    readonly roomId: string,
  ) {
    super();
  }
}

/** One room of the application; another application's room is as unknown as a missing one. */
@QueryHandler(GetApplicationRoomQuery)
export class GetApplicationRoomHandler implements IQueryHandler<GetApplicationRoomQuery, ApplicationRoomView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId, roomId }: GetApplicationRoomQuery): Promise<ApplicationRoomView & { readonly memberStates: readonly MemberStateView[] }> {
    const doc = await this.readStore.get('rooms', roomId);
    if (!doc || doc['applicationId'] !== applicationId) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return { ...applicationRoomView(doc), memberStates: memberStatesOf(doc) };
  }
}

/** A timeline item as the event-id listings show it. */
export interface TimelineEventView {
  readonly eventId: number;
  readonly kind: 'comment' | 'system';
  readonly commentId: string | null;
  readonly senderId: string;
  readonly text: string | null;
  readonly type: string;
  /** A comment's free JSON (null when it has none, and once deleted). */
  readonly payload: Record<string, unknown> | null;
  readonly systemEvent: { readonly kind: string; readonly actorId: string; readonly subjectId?: string } | null;
  readonly createdAt: string;
  readonly deleted: boolean;
}

const timelineEventView = (doc: Doc): TimelineEventView => ({
  eventId: doc['ord'] as number,
  kind: doc['kind'] as 'comment' | 'system',
  commentId: doc['kind'] === 'comment' ? doc.id : null,
  senderId: doc['senderId'] as string,
  text: (doc['text'] as string | null) ?? null,
  type: doc['type'] as string,
  payload: (doc['payload'] as Record<string, unknown> | null | undefined) ?? null,
  systemEvent: (doc['systemEvent'] as TimelineEventView['systemEvent']) ?? null,
  createdAt: doc['createdAt'] as string,
  deleted: doc['deleted'] === true,
});

/** A comment just posted as the timeline will show it, under the event id the post answered. */
export function timelineEventOfPosted(comment: CommentView, eventId: number): TimelineEventView {
  return {
    eventId,
    kind: 'comment',
    commentId: comment.id,
    senderId: comment.senderId,
    text: comment.text,
    type: comment.type,
    payload: comment.payload,
    systemEvent: null,
    createdAt: comment.createdAt,
    deleted: false,
  };
}

export class ListTimelineEventsQuery extends Query<{ readonly items: readonly TimelineEventView[]; readonly more: boolean }> {
  constructor(
    readonly actor: string,
    readonly roomId: string,
    readonly afterEventId: number,
    readonly limit: number,
    readonly order: 'asc' | 'desc' = 'asc',
  ) {
    super();
  }
}

/** A room's timeline paged by event id (after one, ascending; or before one, descending). */
@QueryHandler(ListTimelineEventsQuery)
export class ListTimelineEventsHandler implements IQueryHandler<ListTimelineEventsQuery, { readonly items: readonly TimelineEventView[]; readonly more: boolean }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ actor, roomId, afterEventId, limit, order }: ListTimelineEventsQuery) {
    await requireMembership(this.readStore, roomId, actor);
    const ord = order === 'asc' ? { $gt: afterEventId } : afterEventId > 0 ? { $lt: afterEventId } : { $gt: 0 };
    const found = await this.readStore.find('timeline', { filter: { roomId, ord }, sort: [{ field: 'ord', direction: order }], limit: limit + 1 });
    return { items: found.slice(0, limit).map(timelineEventView), more: found.length > limit };
  }
}

export class GetTimelineEventQuery extends Query<TimelineEventView> {
  constructor(
    readonly actor: string,
    readonly roomId: string,
    readonly eventId: number,
  ) {
    super();
  }
}

@QueryHandler(GetTimelineEventQuery)
export class GetTimelineEventHandler implements IQueryHandler<GetTimelineEventQuery, TimelineEventView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ actor, roomId, eventId }: GetTimelineEventQuery): Promise<TimelineEventView> {
    await requireMembership(this.readStore, roomId, actor);
    const [doc] = await this.readStore.find('timeline', { filter: { roomId, ord: eventId }, limit: 1 });
    if (!doc) throw notFound('EVENT.NOT_FOUND', 'No event with that id in this room');
    return timelineEventView(doc);
  }
}

export class TimelineEventOfCommentQuery extends Query<TimelineEventView> {
  constructor(
    readonly roomId: string,
    readonly commentId: string,
  ) {
    super();
  }
}

/** The event id a comment got in its room's timeline (the caller waited for the projection). */
@QueryHandler(TimelineEventOfCommentQuery)
export class TimelineEventOfCommentHandler implements IQueryHandler<TimelineEventOfCommentQuery, TimelineEventView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ roomId, commentId }: TimelineEventOfCommentQuery): Promise<TimelineEventView> {
    const doc = await this.readStore.get('timeline', commentId);
    if (!doc || doc['roomId'] !== roomId) throw notFound('EVENT.NOT_FOUND', 'No event for that comment');
    return timelineEventView(doc);
  }
}

export class ListUserRoomsQuery extends Query<CursorPage<ApplicationRoomView>> {
  constructor(
    readonly applicationId: string,
    readonly userId: string,
    readonly cursor: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** The rooms of the application that its user is a member of now, most recently active first (Vonage's and Nexmo's user conversations). */
@QueryHandler(ListUserRoomsQuery)
export class ListUserRoomsHandler implements IQueryHandler<ListUserRoomsQuery, CursorPage<ApplicationRoomView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ applicationId, userId, cursor, limit }: ListUserRoomsQuery): Promise<CursorPage<ApplicationRoomView>> {
    const user = await this.readStore.get('users', userId);
    if (!user || user['applicationId'] !== applicationId || user['status'] !== 'active') throw notFound('USER.NOT_FOUND', 'User not found');
    const memberships = await this.readStore.find('memberships', {
      filter: { userId, active: true },
      sort: [{ field: 'lastActivityAt', direction: 'desc' }],
      after: cursor ? decodeCursor(cursor, ['string', 'string']) : undefined,
      limit: limit + 1,
    });
    const page = memberships.slice(0, limit);
    const rooms = new Map((await this.readStore.getMany('rooms', page.map((m) => m['roomId'] as string))).map((room) => [room.id, room]));
    // A user of the application is a member of its rooms only; the filter keeps that true whatever the log holds.
    const items = page.flatMap((m) => {
      const room = rooms.get(m['roomId'] as string);
      return room && room['applicationId'] === applicationId ? [applicationRoomView(room)] : [];
    });
    const last = page[page.length - 1];
    return { items, next: memberships.length > limit && last ? encodeCursor([last['lastActivityAt'] as string, last.id]) : null };
  }
}
