import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { decideBlocking } from '../../../libs/domain/contacts/blocking.decider';
import { DomainError, validationError } from '../../../libs/domain/errors';
import type { HistoryVisibility, RoomPermissions } from '../../../libs/domain/events';
import { idFromKey, newId } from '../../../libs/domain/ids';
import { roomDecider, type RoomCommand, type RoomState } from '../../../libs/domain/rooms/room.decider';
import { streams } from '../../../libs/domain/streams';
import { applicationOfActor } from '../../../libs/domain/rooms/room.decider';
import { applicationRoomId } from '../applications/application-users';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ContactDirectory } from '../contacts/contact-directory';
import { UserStates } from '../users/user-states';
import { RoomStates } from './room-states';
import { roomViewFromState, type RoomStateView } from './room-views';

export interface CreatedRoom extends RoomStateView {
  /** False when the room already existed (a direct room, or a retried request). */
  readonly created: boolean;
  readonly position: string | null;
}

/** A group or a direct room; a thread opens with its first message in one append (CreateThreadCommand). */
export type RoomSpec =
  | {
      readonly kind: 'group';
      readonly name: string;
      readonly participants: readonly string[];
      readonly topic: string | null;
      readonly avatarUrl: string | null;
      readonly permissions?: Partial<RoomPermissions>;
      readonly historyVisibility?: HistoryVisibility;
      readonly idempotencyKey?: string;
      /** An application's room: its handle there (unique in the application); defaults to the name. */
      readonly applicationName?: string;
      /** The room's `custom_data` (free JSON its application, owners and operators keep). */
      readonly properties?: Record<string, unknown>;
      /** Created by an administrator (`admin:rooms`) for the organisation: the caller is no member. */
      readonly administered?: boolean;
      readonly unlisted?: boolean;
    }
  | { readonly kind: 'direct'; readonly userId: string };

export class CreateRoomCommand extends Command<CreatedRoom> {
  constructor(
    readonly spec: RoomSpec,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Creates a group or opens the direct room of two users. A direct room's id
 * derives from the pair, and a group's from the caller's Idempotency-Key when
 * given, so "create" against an existing stream means "already done" and both
 * racing callers end with the one room.
 */
@CommandHandler(CreateRoomCommand)
export class CreateRoomHandler implements ICommandHandler<CreateRoomCommand, CreatedRoom> {
  constructor(
    private readonly rooms: RoomStates,
    private readonly users: UserStates,
    private readonly pipeline: CommandPipeline,
    private readonly contacts: ContactDirectory,
  ) {}

  async execute({ spec, context }: CreateRoomCommand): Promise<CreatedRoom> {
    const participants = spec.kind === 'direct' ? [spec.userId] : [...new Set(spec.participants)];
    const unknown = await this.users.unknown(participants.filter((id) => id !== context.actor));
    if (unknown.length > 0) {
      const field = spec.kind === 'direct' ? 'userId' : 'participants';
      throw validationError('ROOM.UNKNOWN_USERS', `Unknown users: ${unknown.join(', ')}`, [
        { field, reason: `no registered user with id ${unknown.join(', ')}` },
      ]);
    }
    // Blocking (issue #5): no direct room while either blocks the other, and nobody
    // is put in a room by someone they block. Imports restore history as it was.
    if (!context.importId) {
      if (spec.kind !== 'direct') {
        const check = { type: 'AddToRoom', actor: context.actor, userIds: participants, field: 'participants' } as const;
        decideBlocking(check, await this.contacts.blockFacts(participants));
      } else if (spec.userId !== context.actor) {
        const check = { type: 'OpenDirectRoom', actor: context.actor, other: spec.userId } as const;
        decideBlocking(check, await this.contacts.blockFacts([context.actor, spec.userId]));
      }
    }
    const applicationId = applicationOfActor(context.actor);
    const roomId =
      spec.kind === 'direct'
        ? idFromKey('direct-room', ...[context.actor, spec.userId].sort())
        : applicationId !== null && spec.kind === 'group'
          ? applicationRoomId(applicationId, spec.applicationName ?? spec.name)
          : spec.idempotencyKey
            ? idFromKey('room', context.actor, spec.idempotencyKey)
            : newId();
    const existing = await this.rooms.load(roomId);
    // An application's room is named by its handle: a second creation is a taken name, unless retried with its key.
    const replay = applicationId === null || (spec.kind === 'group' && spec.idempotencyKey) ? this.existing(existing.state, spec, context) : null;
    if (replay) return replay;
    const group = spec.kind === 'group' ? spec : null;
    const command: RoomCommand = {
      type: 'CreateRoom',
      roomId,
      kind: spec.kind,
      name: group?.name ?? '',
      topic: group?.topic ?? null,
      avatarUrl: group?.avatarUrl ?? null,
      permissions: group?.permissions,
      historyVisibility: group?.historyVisibility,
      ...(applicationId !== null && group !== null ? { applicationId, applicationName: group.applicationName ?? group.name } : {}),
      ...(group?.properties !== undefined ? { properties: group.properties } : {}),
      ...(group?.administered === true ? { administered: true, unlisted: group.unlisted } : {}),
      actor: context.actor,
      participants,
      now: new Date().toISOString(),
    };
    try {
      const { state, appended } = await this.pipeline.handle(roomDecider, streams.room(roomId), command, context);
      if (state.status !== 'active' || !appended) throw new Error(`room ${roomId} missing right after its creation`);
      return { ...roomViewFromState(state), created: true, position: appended.position.toString() };
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'ROOM.ALREADY_EXISTS')) throw error;
      // Someone created it first: the other member opening the same direct room.
      const raced = this.existing((await this.rooms.load(roomId)).state, spec, context);
      if (raced) return raced;
      throw error;
    }
  }

  private existing(state: RoomState, spec: RoomSpec, context: CommandContext): CreatedRoom | null {
    if (state.status !== 'active') return null;
    const ownRetry = spec.kind !== 'direct' && state.kind === spec.kind && state.createdBy === context.actor;
    const directPair = spec.kind === 'direct' && state.kind === 'direct' && state.members.has(context.actor);
    if (!ownRetry && !directPair) return null;
    return { ...roomViewFromState(state), created: false, position: null };
  }
}
