import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { packsPositions, type ParleyConfig } from '../../../libs/config/config';
import { aliasOf, aliasOfEvent, positionOfAlias } from '../../../libs/domain/aliases';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { membershipId } from '../../../projections/memberships.projection';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { EVENT_STORE, PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { notFound } from '../../../libs/domain/errors';
import { memberIdOf } from '../../../libs/domain/rooms/member-id';
import type { ActiveRoom } from '../../../libs/domain/rooms/room.decider';
import { RoomStates } from './room-states';

/**
 * Lookups the seeds' surfaces need by the keys their clients hold (integer
 * aliases, raw read-model documents), answered here so that a surface asks the
 * query bus and never a store.
 */

/**
 * The room an integer alias names (the position of its creation); null when
 * none, an alias past the log's head included; 503 READ_MODEL.BEHIND when the
 * rooms read model did not pass the alias in time.
 */
export class RoomIdByAliasQuery extends Query<string | null> {
  constructor(readonly alias: number) {
    super();
  }
}

@QueryHandler(RoomIdByAliasQuery)
export class RoomIdByAliasHandler implements IQueryHandler<RoomIdByAliasQuery, string | null> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
  ) {}

  async execute({ alias }: RoomIdByAliasQuery): Promise<string | null> {
    const head = await this.store.headPosition();
    if (head === null || alias > aliasOf(head)) return null;
    // The alias is the position of the room's creation: once the read model passed it, the room is there.
    await this.gate.requireReadModels(positionOfAlias(BigInt(alias), packsPositions(this.config.eventStore)), this.config.minPositionWaitMs, ['rooms']);
    const [doc] = await this.readStore.find('rooms', { filter: { alias }, limit: 1 });
    return doc ? doc.id : null;
  }
}

/** A stream's integer alias: that of its first event (libs/domain/aliases.ts); null for a stream that does not exist. */
export class StreamAliasQuery extends Query<number | null> {
  constructor(readonly streamId: string) {
    super();
  }
}

@QueryHandler(StreamAliasQuery)
export class StreamAliasHandler implements IQueryHandler<StreamAliasQuery, number | null> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ streamId }: StreamAliasQuery): Promise<number | null> {
    const [first] = await this.store.readStream(streamId, { maxCount: 1 });
    return first ? aliasOfEvent(first) : null;
  }
}

/** The rooms read model's document of a room and, when `userId` is given, that member's membership document. */
export class RoomDocumentsQuery extends Query<{ readonly room: Doc | null; readonly membership: Doc | null }> {
  constructor(
    readonly roomId: string,
    readonly userId: string | null,
  ) {
    super();
  }
}

@QueryHandler(RoomDocumentsQuery)
export class RoomDocumentsHandler implements IQueryHandler<RoomDocumentsQuery, { readonly room: Doc | null; readonly membership: Doc | null }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ roomId, userId }: RoomDocumentsQuery): Promise<{ readonly room: Doc | null; readonly membership: Doc | null }> {
    const [room, membership] = await Promise.all([
      this.readStore.get('rooms', roomId),
      userId === null ? null : this.readStore.get('memberships', membershipId(roomId, userId)),
    ]);
    return { room, membership };
  }
}

/** The comment of a room at a seq (a read marker's), if the timeline holds it. */
export class CommentBySeqQuery extends Query<Doc | null> {
  constructor(
    readonly roomId: string,
    readonly seq: number,
  ) {
    super();
  }
}

@QueryHandler(CommentBySeqQuery)
export class CommentBySeqHandler implements IQueryHandler<CommentBySeqQuery, Doc | null> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ roomId, seq }: CommentBySeqQuery): Promise<Doc | null> {
    const [doc] = await this.readStore.find('timeline', { filter: { roomId, seq }, limit: 1 });
    return doc ?? null;
  }
}

/** A page of a room's timeline documents, newest first, by offset (the seeds page by page number). */
export class TimelineDocumentsQuery extends Query<Doc[]> {
  constructor(
    readonly roomId: string,
    readonly offset: number,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(TimelineDocumentsQuery)
export class TimelineDocumentsHandler implements IQueryHandler<TimelineDocumentsQuery, Doc[]> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  execute({ roomId, offset, limit }: TimelineDocumentsQuery): Promise<Doc[]> {
    return this.readStore.find('timeline', { filter: { roomId }, sort: [{ field: 'ord', direction: 'desc' }], offset, limit });
  }
}

/**
 * Timeline items by their integer aliases (the position of the event that
 * made each); an alias that names no item, or one past the log's head, is
 * absent from the answer. Waits (bounded) until the timeline passed them;
 * 503 READ_MODEL.BEHIND when it did not in time (not yet, rather than none).
 */
export class TimelineItemsByAliasQuery extends Query<Doc[]> {
  constructor(readonly aliases: readonly number[]) {
    super();
  }
}

@QueryHandler(TimelineItemsByAliasQuery)
export class TimelineItemsByAliasHandler implements IQueryHandler<TimelineItemsByAliasQuery, Doc[]> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
    private readonly gate: ReadModelGate,
  ) {}

  async execute({ aliases }: TimelineItemsByAliasQuery): Promise<Doc[]> {
    const head = await this.store.headPosition();
    const known = head === null ? [] : [...new Set(aliases)].filter((alias) => alias <= aliasOf(head));
    if (known.length === 0) return [];
    await this.gate.requireReadModels(positionOfAlias(BigInt(Math.max(...known)), packsPositions(this.config.eventStore)), this.config.minPositionWaitMs, ['timeline']);
    return this.readStore.find('timeline', { filter: { alias: { $in: known } } });
  }
}

/** Timeline items by id (comment ids, or the ids of the events behind system items), in no particular order. */
export class TimelineItemsQuery extends Query<Doc[]> {
  constructor(readonly ids: readonly string[]) {
    super();
  }
}

@QueryHandler(TimelineItemsQuery)
export class TimelineItemsHandler implements IQueryHandler<TimelineItemsQuery, Doc[]> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  execute({ ids }: TimelineItemsQuery): Promise<Doc[]> {
    return this.readStore.getMany('timeline', [...ids]);
  }
}

/** A sender's comments by the keys their client gave them (Qiscus' `unique_temp_id`), in any room. */
export class CommentsByClientIdQuery extends Query<Doc[]> {
  constructor(
    readonly senderId: string,
    readonly clientIds: readonly string[],
  ) {
    super();
  }
}

@QueryHandler(CommentsByClientIdQuery)
export class CommentsByClientIdHandler implements IQueryHandler<CommentsByClientIdQuery, Doc[]> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  execute({ senderId, clientIds }: CommentsByClientIdQuery): Promise<Doc[]> {
    if (clientIds.length === 0) return Promise.resolve([]);
    return this.readStore.find('timeline', { filter: { senderId, clientId: { $in: [...clientIds] } } });
  }
}

/** The user a member id names among the current members (not invited, not gone) of a room of the application; null when none (404 for no room of the application). */
export class CurrentMemberByIdQuery extends Query<string | null> {
  constructor(
    readonly applicationId: string,
    readonly roomId: string,
    readonly memberId: string,
  ) {
    super();
  }
}

/**
 * Answered from the room's decision state (RoomStates, the fold a post is
 * decided on), not a read model: a surface that sends as a member resolves it
 * without waiting for the projector, and sees a member who just left as gone.
 */
@QueryHandler(CurrentMemberByIdQuery)
export class CurrentMemberByIdHandler implements IQueryHandler<CurrentMemberByIdQuery, string | null> {
  /** Member ids of a state's members, derived once per state (a changed room is a new state object). */
  private readonly byState = new WeakMap<ActiveRoom, ReadonlyMap<string, string>>();

  constructor(private readonly rooms: RoomStates) {}

  async execute({ applicationId, roomId, memberId }: CurrentMemberByIdQuery): Promise<string | null> {
    const { state } = await this.rooms.load(roomId);
    // Another application's room is as unknown as a missing one.
    if (state.status === 'absent' || state.applicationId !== applicationId) throw notFound('ROOM.NOT_FOUND', 'Conversation not found');
    let members = this.byState.get(state);
    if (!members) {
      members = new Map([...state.members.keys()].map((userId) => [memberIdOf(roomId, userId), userId]));
      this.byState.set(state, members);
    }
    return members.get(memberId) ?? null;
  }
}

export const ROOM_LOOKUP_HANDLERS = [
  CurrentMemberByIdHandler,
  RoomIdByAliasHandler,
  StreamAliasHandler,
  RoomDocumentsHandler,
  TimelineDocumentsHandler,
  CommentBySeqHandler,
  TimelineItemsByAliasHandler,
  TimelineItemsHandler,
  CommentsByClientIdHandler,
];

/** The documents these lookups answer. */
export type { Doc };
