import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { notFound } from '../../../libs/domain/errors';
import { DEFAULT_HISTORY_VISIBILITY, type HistoryVisibility, type RoomPermissions, type RoomRole } from '../../../libs/domain/events';
import { roomDecider, type ActiveRoom, type RoomCommand } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import type { RoomMemberEntry } from '../../../projections/rooms.projection';
import { ContactDirectory } from '../contacts/contact-directory';
import { READ_STORE } from '../infrastructure/tokens';
import { CreateRoomCommand, type RoomSpec } from './create-room.command';
import { decodeCursor, encodeCursor } from './read-access';
import { RoomStates } from './room-states';
import type { Page } from './rooms.queries';

export interface AdminRoomMemberView {
  readonly userId: string;
  readonly role: RoomRole;
  readonly muted: boolean;
  /** Posts in a moderated room (one whose members may not send). */
  readonly voice: boolean;
}

/** A room as an administrator sees it, member or not. */
export interface AdminRoomView {
  readonly id: string;
  readonly name: string;
  readonly topic: string | null;
  readonly avatarUrl: string | null;
  /** A user id, or `apikey:<id>` for a group chat an administrator made for the organisation. */
  readonly createdBy: string;
  /** Deleted: read-only history, left out of listings unless asked for. */
  readonly deleted: boolean;
  /** Not listed to non-members. */
  readonly unlisted: boolean;
  /** `send: false` makes the room moderated: only voiced members, operators and owners post. */
  readonly permissions: RoomPermissions;
  readonly historyVisibility: HistoryVisibility;
  readonly memberCount: number;
  /** In the order they joined; null when the listing was not asked for them. */
  readonly members: readonly AdminRoomMemberView[] | null;
}

export function adminRoomViewFromState(room: ActiveRoom): AdminRoomView {
  return {
    id: room.roomId,
    name: room.name,
    topic: room.topic,
    avatarUrl: room.avatarUrl,
    createdBy: room.createdBy,
    deleted: room.closed,
    unlisted: room.unlisted,
    permissions: room.permissions,
    historyVisibility: room.historyVisibility,
    memberCount: room.members.size,
    members: [...room.members.entries()]
      .sort(([, a], [, b]) => a.joined - b.joined)
      .map(([userId, m]) => ({ userId, role: m.role, muted: m.muted, voice: m.voice })),
  };
}

export function adminRoomViewFromDoc(doc: Doc, withMembers: boolean): AdminRoomView {
  const members = Object.entries((doc['members'] ?? {}) as Record<string, RoomMemberEntry>).sort(([, a], [, b]) =>
    a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0,
  );
  return {
    id: doc.id,
    name: doc['name'] as string,
    topic: (doc['topic'] as string | null) ?? null,
    avatarUrl: (doc['avatarUrl'] as string | null) ?? null,
    createdBy: doc['createdBy'] as string,
    deleted: doc['closed'] === true,
    unlisted: doc['unlisted'] === true,
    permissions: doc['permissions'] as RoomPermissions,
    historyVisibility: (doc['historyVisibility'] as HistoryVisibility | undefined) ?? DEFAULT_HISTORY_VISIBILITY,
    memberCount: (doc['memberCount'] as number) ?? 0,
    members: withMembers ? members.map(([userId, m]) => ({ userId, role: m.role as RoomRole, muted: m.muted, voice: m.voice === true })) : null,
  };
}

export interface AdministeredRoom {
  readonly room: AdminRoomView;
  /** Events written; 0 when the room already was as asked. */
  readonly written: number;
  readonly position: string | null;
}

/**
 * An administrator's decision on a room (`admin:rooms`): the room decider
 * with the administrator acting as an owner, answered with the room as it
 * stands after it (from the decision state, so without waiting for a read model).
 */
export class AdministerRoomCommand extends Command<AdministeredRoom> {
  constructor(
    readonly roomId: string,
    readonly command: Extract<RoomCommand, { type: 'UpdateRoom' | 'PutMember' | 'RemoveMember' | 'CloseRoom' }>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AdministerRoomCommand)
export class AdministerRoomHandler implements ICommandHandler<AdministerRoomCommand, AdministeredRoom> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
  ) {}

  async execute({ roomId, command, context }: AdministerRoomCommand): Promise<AdministeredRoom> {
    const admin = { ...command, admin: true } as const;
    const { state, events, appended } = await this.pipeline.handle(
      roomDecider,
      streams.room(roomId),
      // Blocking (issue #5): nobody is put in a room with someone they block, by an administrator either.
      admin.type === 'PutMember' ? async () => ({ ...admin, blocks: await this.contacts.blockFacts([admin.userId]) }) : admin,
      context,
    );
    if (state.status !== 'active') throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return { room: adminRoomViewFromState(state), written: events.length, position: appended ? appended.position.toString() : null };
  }
}

export class ListAdminRoomsQuery extends Query<Page<AdminRoomView>> {
  constructor(
    readonly options: { readonly withMembers: boolean; readonly withDeleted: boolean; readonly cursor: string | undefined; readonly limit: number },
  ) {
    super();
  }
}

/** Every group chat, oldest first, listed or not; deleted ones only when asked. */
@QueryHandler(ListAdminRoomsQuery)
export class ListAdminRoomsHandler implements IQueryHandler<ListAdminRoomsQuery, Page<AdminRoomView>> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ options }: ListAdminRoomsQuery): Promise<Page<AdminRoomView>> {
    const { withMembers, withDeleted, cursor, limit } = options;
    const docs = await this.readStore.find('rooms', {
      filter: { kind: 'group', ...(withDeleted ? {} : { closed: false }) },
      sort: [{ field: 'createdAt', direction: 'asc' }],
      after: cursor ? decodeCursor(cursor, ['string', 'string']) : undefined,
      limit: limit + 1,
    });
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((doc) => adminRoomViewFromDoc(doc, withMembers)),
      nextCursor: docs.length > limit && last ? encodeCursor([last['createdAt'] as string, last.id]) : null,
    };
  }
}

export class GetAdminRoomQuery extends Query<AdminRoomView> {
  constructor(readonly roomId: string) {
    super();
  }
}

@QueryHandler(GetAdminRoomQuery)
export class GetAdminRoomHandler implements IQueryHandler<GetAdminRoomQuery, AdminRoomView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ roomId }: GetAdminRoomQuery): Promise<AdminRoomView> {
    const doc = await this.readStore.get('rooms', roomId);
    if (!doc) throw notFound('ROOM.NOT_FOUND', 'Room not found');
    return adminRoomViewFromDoc(doc, true);
  }
}


export interface CreatedAdminRoom extends Omit<AdministeredRoom, 'written'> {
  /** False when a retried Idempotency-Key found the room made already. */
  readonly created: boolean;
}

/** A group chat an administrator makes for the organisation: room creation as any, answered as administrators see rooms. */
export class CreateAdministeredRoomCommand extends Command<CreatedAdminRoom> {
  constructor(
    readonly spec: Omit<Extract<RoomSpec, { kind: 'group' }>, 'administered' | 'applicationName'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(CreateAdministeredRoomCommand)
export class CreateAdministeredRoomHandler implements ICommandHandler<CreateAdministeredRoomCommand, CreatedAdminRoom> {
  constructor(
    private readonly commands: CommandBus,
    private readonly rooms: RoomStates,
  ) {}

  async execute({ spec, context }: CreateAdministeredRoomCommand): Promise<CreatedAdminRoom> {
    const created = await this.commands.execute(new CreateRoomCommand({ ...spec, administered: true }, context));
    const { state } = await this.rooms.load(created.id);
    if (state.status !== 'active') throw new Error(`room ${created.id} missing right after its creation`);
    return { room: adminRoomViewFromState(state), created: created.created, position: created.position };
  }
}

export const ADMIN_ROOM_HANDLERS = [AdministerRoomHandler, CreateAdministeredRoomHandler, ListAdminRoomsHandler, GetAdminRoomHandler];
