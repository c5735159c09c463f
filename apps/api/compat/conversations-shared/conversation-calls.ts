import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { notFound, validationError } from '../../../../libs/domain/errors';
import {
  CreateApplicationUserCommand,
  UpdateApplicationUserCommand,
  type CreatedApplicationUser,
  type UpdatedApplicationUser,
} from '../../applications/applications.commands';
import {
  GetApplicationRoomQuery,
  GetApplicationUserQuery,
  GetTimelineEventQuery,
  TimelineEventOfCommentQuery,
  timelineEventOfPosted,
  type ApplicationRoomView,
  type ApplicationUserView,
  type MemberStateView,
  type TimelineEventView,
} from '../../applications/applications.queries';
import { applicationActor } from '../../applications/application-tokens';
import { DeleteCommentCommand } from '../../comments/delete-comment.command';
import { PostCommentCommand } from '../../comments/post-comment.command';
import type { PostedComment } from '../../comments/comment-sequencer';
import type { CommentView } from '../../comments/comment-views';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { ExecuteRoomCommand } from '../../rooms/room-command.command';
import { CurrentMemberByIdQuery } from '../../rooms/room-lookups.queries';
import { applicationUserChange, applicationUserExtras, eventContent, fromConversationsId, MEMBER_PREFIX, type ConversationUser } from './conversation-shapes';
import { str, type Json } from './conversation-request';

/** The surfaces read what the caller just wrote: queries wait (bounded) for the read models to pass the log's head. */
const READ_YOUR_WRITES_MS = 10_000;

export type RoomDetail = ApplicationRoomView & { readonly memberStates: readonly MemberStateView[] };

/** An event just sent: the timeline item it became, who sent it, and the member id the request named. */
export interface SentEvent {
  readonly event: TimelineEventView;
  readonly sender: string;
  /** Parley's member id of `from`, null when the token's user sent it. */
  readonly fromMember: string | null;
}

/**
 * The calls onto Parley's commands and queries that the Vonage and Nexmo beta
 * surfaces make alike: finding an application's rooms, users and members,
 * sending and deleting events, a member leaving, a user's change. Each
 * surface shapes the answers its own way.
 */
@Injectable()
export class ConversationCalls {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly gate: ReadModelGate,
  ) {}

  async settle(): Promise<void> {
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
  }

  /** The application's room as it is after the caller's writes, deleted ones included. */
  async roomDetail(applicationId: string, roomId: string): Promise<RoomDetail> {
    await this.settle();
    return (await this.queries.execute(new GetApplicationRoomQuery(applicationId, roomId))) as RoomDetail;
  }

  /** An open room of the application: a deleted conversation is gone for the surfaces. */
  async openRoom(applicationId: string, roomId: string): Promise<RoomDetail> {
    const room = await this.roomDetail(applicationId, roomId);
    if (room.closed) throw notFound('ROOM.NOT_FOUND', 'Conversation not found');
    return room;
  }

  async user(applicationId: string, userId: string): Promise<ConversationUser> {
    const found: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(applicationId, userId));
    return { id: found.id, name: found.name, displayName: found.displayName };
  }

  /** Users by id; one that is gone shows by its id. */
  async users(applicationId: string, userIds: readonly string[]): Promise<Map<string, ConversationUser>> {
    const found = await Promise.all(
      userIds.map(async (id) => {
        const user: ApplicationUserView | null = await this.queries.execute(new GetApplicationUserQuery(applicationId, id)).catch(() => null);
        return [id, user ? { id, name: user.name, displayName: user.displayName } : { id, name: id, displayName: null }] as const;
      }),
    );
    return new Map(found);
  }

  /** The member's state right after a change to it. */
  async memberAfterChange(applicationId: string, roomId: string, userId: string): Promise<MemberStateView> {
    const room = await this.roomDetail(applicationId, roomId);
    const member = room.memberStates.find((m) => m.userId === userId);
    if (!member) throw new Error(`member ${userId} missing from room ${roomId} right after the change`);
    return member;
  }

  /** A member leaving: the application's own token removes them (or withdraws the invitation), a user's token leaves. */
  async leave(context: CommandContext, roomId: string, member: MemberStateView): Promise<void> {
    const now = new Date().toISOString();
    const command =
      context.actor === member.userId
        ? ({ type: 'LeaveRoom', actor: member.userId, now } as const)
        : ({ type: 'RemoveMember', actor: context.actor, userId: member.userId, now } as const);
    await this.commands.execute(new ExecuteRoomCommand(roomId, command, context));
  }

  /** The application answers for its users: accepting an invitation is done as the invited user. */
  async accept(context: CommandContext, roomId: string, member: MemberStateView): Promise<void> {
    await this.commands.execute(new ExecuteRoomCommand(roomId, { type: 'AcceptInvitation', actor: member.userId, now: new Date().toISOString() }, { ...context, actor: member.userId }));
  }

  /**
   * A new event of the conversation: a comment of the member `from` names
   * (resolved from the room's decision state, so a member who just left is
   * refused), or of the token's user. The post answers the comment's event
   * id, so the send does not wait for the timeline's projection; only a
   * retry answered with an earlier comment reads it from the timeline.
   */
  async sendEvent(applicationId: string, roomId: string, body: Json, textTypes: readonly string[], context: CommandContext): Promise<SentEvent> {
    const content = eventContent(str(body, 'type'), body['body'], textTypes);
    const from = str(body, 'from');
    const fromMember = from === undefined ? null : fromConversationsId(MEMBER_PREFIX, from);
    const memberUser = from === undefined ? null : await this.currentMember(applicationId, roomId, fromMember);
    const sender = memberUser ?? (context.actor === applicationActor(applicationId) ? null : context.actor);
    if (sender === null) throw validationError('REQUEST.VALIDATION_FAILED', 'from must name a member', [{ field: 'from', reason: 'is required' }]);
    const posted: PostedComment = await this.commands.execute(
      new PostCommentCommand(roomId, content.text, content.commentType, content.payload, null, null, null, { ...context, actor: sender }, [], true),
    );
    const event = posted.eventId === undefined ? await this.projectedEvent(roomId, posted) : timelineEventOfPosted(posted, posted.eventId);
    return { event, sender, fromMember: memberUser === null ? null : fromMember };
  }

  /** Deletes a message event; `what` names the deletable kind in the refusal. */
  async deleteEvent(context: CommandContext, roomId: string, eventId: number, what: string): Promise<void> {
    const event: TimelineEventView = await this.queries.execute(new GetTimelineEventQuery(context.actor, roomId, eventId));
    if (event.commentId === null) throw validationError('EVENT.NOT_DELETABLE', `Only ${what} events are deleted`, [{ field: 'event_id', reason: `is not a ${what} event` }]);
    await this.commands.execute(new DeleteCommentCommand(roomId, event.commentId, context));
  }

  /** A new user of the application, with the image and custom_data the request gives. */
  createUser(name: string, body: Json, context: CommandContext): Promise<CreatedApplicationUser> {
    return this.commands.execute(new CreateApplicationUserCommand(name, str(body, 'display_name'), context, applicationUserExtras(body)));
  }

  /** A user's change as the surfaces send it; answered as the user is now. */
  async updateUser(applicationId: string, userId: string, body: Json, context: CommandContext): Promise<ApplicationUserView> {
    await this.settle();
    const user: ApplicationUserView = await this.queries.execute(new GetApplicationUserQuery(applicationId, userId));
    const updated: UpdatedApplicationUser = await this.commands.execute(new UpdateApplicationUserCommand(user.id, applicationUserChange(user, body), context));
    return { ...user, displayName: updated.displayName, imageUrl: updated.imageUrl, properties: updated.properties };
  }

  private async projectedEvent(roomId: string, posted: CommentView): Promise<TimelineEventView> {
    await this.gate.waitFor(BigInt(posted.position), READ_YOUR_WRITES_MS);
    return this.queries.execute(new TimelineEventOfCommentQuery(roomId, posted.id));
  }

  private async currentMember(applicationId: string, roomId: string, memberId: string | null): Promise<string> {
    const userId: string | null = memberId === null ? null : await this.queries.execute(new CurrentMemberByIdQuery(applicationId, roomId, memberId));
    if (userId === null) throw validationError('EVENT.FROM_UNKNOWN', 'from names no member of this conversation', [{ field: 'from', reason: 'is not a member of this conversation' }]);
    return userId;
  }
}

