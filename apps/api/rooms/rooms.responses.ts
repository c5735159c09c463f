import { HISTORY_VISIBILITIES, ROOM_KINDS, type HistoryVisibility, type RoomKind } from '../../../libs/domain/events';
import { ApiProperty } from '@nestjs/swagger';
import type { RoomPermissions } from '../../../libs/domain/events';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import { SeenPresenceResponse } from '../presence/presence.responses';
import type { CreatedRoom } from './create-room.command';
import type { RoomCommandResult } from './room-command.command';
import type { LastCommentView, MyRoomView } from './room-views';
import type { MemberView, Page, UnreadView } from './rooms.queries';

const ROLES = ['owner', 'operator', 'member'];

export class RoomPermissionsResponse implements RoomPermissions {
  @ApiProperty() rename!: boolean;
  @ApiProperty() changeTopic!: boolean;
  @ApiProperty() addMembers!: boolean;
  @ApiProperty() removeMembers!: boolean;
  @ApiProperty() send!: boolean;
}

export class RoomMemberStateResponse {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() muted!: boolean;
}

/** A room as a command that created it answers. */
export class CreatedRoomResponse implements CreatedRoom {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ROOM_KINDS }) kind!: RoomKind;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'An absolute URL, or an uploaded avatar\'s /v1/media/<id>' }) avatarUrl!: string | null;
  @ApiProperty({ enum: HISTORY_VISIBILITIES, description: 'shared: members see history from before they joined; joined: only from their join' }) historyVisibility!: HistoryVisibility;
  @ApiProperty({ type: String, description: 'A user id, or application:<id> for a room of an application' }) createdBy!: string;
  @ApiProperty({ type: RoomPermissionsResponse }) permissions!: RoomPermissionsResponse;
  @ApiProperty({ ...WHOLE, description: 'A room of an application starts with none' }) memberCount!: number;
  @ApiProperty({ type: [RoomMemberStateResponse] }) members!: RoomMemberStateResponse[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The room’s custom_data: free JSON its application, owners and operators keep' }) properties!: Record<string, unknown>;
  @ApiProperty({ description: 'false when the room already existed (a direct room, a retried request)' }) created!: boolean;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}

export class RoomCommandResponse implements RoomCommandResult {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ ...WHOLE, description: 'Events written; 0 when the room already was as asked' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true, description: 'Of the last event written; null when nothing was' }) position!: string | null;
}

export class LastCommentResponse implements LastCommentView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) seq!: number;
  @ApiProperty(UUID) senderId!: string;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty() type!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty() deleted!: boolean;
}

export class MyRoomResponse implements MyRoomView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ROOM_KINDS }) kind!: RoomKind;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true, description: "a thread's subject; null for other rooms" }) subject!: string | null;
  @ApiProperty({ type: [String], format: 'uuid', description: 'the members, in the order they joined' }) participants!: string[];
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'An absolute URL, or an uploaded avatar\'s /v1/media/<id>' }) avatarUrl!: string | null;
  @ApiProperty({ enum: HISTORY_VISIBILITIES, description: 'shared: members see history from before they joined; joined: only from their join' }) historyVisibility!: HistoryVisibility;
  @ApiProperty({ type: String, description: 'A user id, or application:<id> for a room of an application' }) createdBy!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) createdAt!: string | null;
  @ApiProperty({ type: RoomPermissionsResponse }) permissions!: RoomPermissionsResponse;
  @ApiProperty(WHOLE) memberCount!: number;
  @ApiProperty({ ...WHOLE, description: 'seq of the last comment' }) lastSeq!: number;
  @ApiProperty({ type: LastCommentResponse, nullable: true }) lastComment!: LastCommentResponse | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) lastActivityAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The room’s custom_data: free JSON its application, owners and operators keep' }) properties!: Record<string, unknown>;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() muted!: boolean;
  @ApiProperty(WHOLE) unreadCount!: number;
  @ApiProperty(WHOLE) lastReadSeq!: number;
  @ApiProperty({ ...WHOLE, description: 'The caller cleared the history up to this seq for themselves (0: never); those comments no longer show to them' })
  clearedThroughSeq!: number;
}

export class MyRoomPageResponse implements Page<MyRoomView> {
  @ApiProperty({ type: [MyRoomResponse] }) items!: MyRoomResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class MemberResponse implements MemberView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '"Deleted user" for a removed account' }) displayName!: string | null;
  @ApiProperty() removed!: boolean;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() muted!: boolean;
  @ApiProperty({ description: 'Posts in a moderated room (one whose members may not send)' }) voice!: boolean;
  @ApiProperty(DATE_TIME) joinedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when hidden from the caller' }) statusMessage!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'null when hidden from the caller' }) photoUrl!: string | null;
  @ApiProperty({ type: SeenPresenceResponse }) presence!: SeenPresenceResponse;
}

export class RoomUnreadResponse {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty(WHOLE) unreadCount!: number;
}

export class UnreadResponse implements UnreadView {
  @ApiProperty(WHOLE) total!: number;
  @ApiProperty({ type: [RoomUnreadResponse] }) rooms!: RoomUnreadResponse[];
}
