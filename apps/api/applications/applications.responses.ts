import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';

export class RegisteredApplicationResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'SPKI PEM' }) publicKey!: string;
  @ApiProperty({ type: String, nullable: true, description: 'PKCS#8 PEM when Parley generated the pair: shown this once, stored nowhere' })
  privateKey!: string | null;
  @ApiProperty(DATE_TIME) registeredAt!: string;
  @ApiProperty(POSITION) position!: string;
}

export class ApplicationResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'SPKI PEM' }) publicKey!: string;
  @ApiProperty() keyGenerated!: boolean;
  @ApiProperty({ enum: ['active', 'removed'] }) status!: 'active' | 'removed';
  @ApiProperty(DATE_TIME) registeredAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) removedAt!: string | null;
}

export class ApplicationListResponse {
  @ApiProperty({ type: [ApplicationResponse] }) items!: ApplicationResponse[];
}

export class RemovedApplicationResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ['removed'] }) status!: 'removed';
  @ApiProperty({ ...WHOLE, description: 'Events written; 0 when it was removed already' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}

export class CreatedApplicationUserResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) applicationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(POSITION) position!: string;
}

export class ApplicationUserResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true }) imageUrl!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The application’s custom_data on the user' }) properties!: Record<string, unknown>;
  @ApiProperty(DATE_TIME) createdAt!: string;
}

export class UpdatedApplicationUserResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) applicationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true }) imageUrl!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The application’s custom_data on the user' }) properties!: Record<string, unknown>;
  @ApiProperty({ ...POSITION, description: 'Of the change, or of the user’s last event when nothing changed' }) position!: string;
}

export class ApplicationUserPageResponse {
  @ApiProperty({ type: [ApplicationUserResponse] }) items!: ApplicationUserResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) next!: string | null;
}

export class ApplicationRoomResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ description: 'Unique within the application' }) applicationName!: string;
  @ApiProperty() name!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ description: 'Deleted: read-only history' }) closed!: boolean;
  @ApiProperty(WHOLE) memberCount!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The application’s custom_data on the room' }) properties!: Record<string, unknown>;
}

export class ApplicationRoomPageResponse {
  @ApiProperty({ type: [ApplicationRoomResponse] }) items!: ApplicationRoomResponse[];
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
}

export class MemberStateResponse {
  @ApiProperty({ ...UUID, description: 'Stable, derived from the room and the user' }) memberId!: string;
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ enum: ['invited', 'joined', 'left'] }) state!: 'invited' | 'joined' | 'left';
  @ApiProperty({ type: String, nullable: true, description: 'A user id, or application:<id>' }) invitedBy!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) invitedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) joinedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) leftAt!: string | null;
}

export class MemberStateListResponse {
  @ApiProperty({ type: [MemberStateResponse] }) items!: MemberStateResponse[];
}
