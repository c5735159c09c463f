import { ApiProperty } from '@nestjs/swagger';
import { HISTORY_VISIBILITIES, type HistoryVisibility } from '../../../libs/domain/events';
import { POSITION, UUID, WHOLE } from '../common/openapi';
import type { AdministeredRoom, AdminRoomMemberView, AdminRoomView, CreatedAdminRoom } from './admin-rooms';
import type { Page } from './rooms.queries';
import { RoomPermissionsResponse } from './rooms.responses';

export class AdminRoomMemberResponse implements AdminRoomMemberView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ enum: ['owner', 'operator', 'member'] }) role!: 'owner' | 'operator' | 'member';
  @ApiProperty() muted!: boolean;
  @ApiProperty({ description: 'Posts in a moderated room (one whose members may not send)' }) voice!: boolean;
}

export class AdminRoomResponse implements AdminRoomView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true }) avatarUrl!: string | null;
  @ApiProperty({ description: 'A user id, or apikey:<id> for a group chat an administrator made' }) createdBy!: string;
  @ApiProperty({ description: 'Deleted: read-only history, left out of listings unless asked for' }) deleted!: boolean;
  @ApiProperty({ description: 'Not listed to non-members' }) unlisted!: boolean;
  @ApiProperty({ type: RoomPermissionsResponse, description: 'send false: a moderated room, where only voiced members, operators and owners post' })
  permissions!: RoomPermissionsResponse;
  @ApiProperty({ enum: HISTORY_VISIBILITIES }) historyVisibility!: HistoryVisibility;
  @ApiProperty(WHOLE) memberCount!: number;
  @ApiProperty({ type: [AdminRoomMemberResponse], nullable: true, description: 'In the order they joined; null unless asked for (members=1)' })
  members!: AdminRoomMemberResponse[] | null;
}

export class AdminRoomPageResponse implements Page<AdminRoomView> {
  @ApiProperty({ type: [AdminRoomResponse] }) items!: AdminRoomResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AdministeredRoomResponse implements AdministeredRoom {
  @ApiProperty({ type: AdminRoomResponse }) room!: AdminRoomResponse;
  @ApiProperty({ ...WHOLE, description: 'Events written; 0 when the room already was as asked' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}

export class CreatedAdminRoomResponse implements CreatedAdminRoom {
  @ApiProperty({ type: AdminRoomResponse }) room!: AdminRoomResponse;
  @ApiProperty({ description: 'false when a retried Idempotency-Key found the room made already' }) created!: boolean;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}
