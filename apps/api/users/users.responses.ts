import { ApiProperty } from '@nestjs/swagger';
import type { PrivacyLevel } from '../../../libs/domain/events';
import { DATE_TIME, POSITION, UUID } from '../common/openapi';
import type { RegisteredUser } from './register-user.command';
import type { RemovedUser } from './remove-user.command';
import type { MeView, PrivacyView } from './profile-views';
import type { HistoryPage, PhotoEntry, StatusMessageEntry } from './profile.queries';

const LEVELS = ['none', 'contacts', 'all'];

export class RegisteredUserResponse implements RegisteredUser {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty(POSITION) position!: string;
}

export class RemovedUserResponse implements RemovedUser {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: [true] }) removed!: true;
  @ApiProperty(POSITION) position!: string;
}

export class PrivacyResponse implements PrivacyView {
  @ApiProperty({ enum: LEVELS }) status_message!: PrivacyLevel;
  @ApiProperty({ enum: LEVELS }) photo!: PrivacyLevel;
  @ApiProperty({ enum: LEVELS }) last_seen!: PrivacyLevel;
  @ApiProperty({ enum: ['none', 'all'], description: "Whether the rooms' other members see how far the user read (reciprocal)" }) read_receipts!: PrivacyLevel;
}

export class PrivacyChangedResponse extends PrivacyResponse {
  @ApiProperty(POSITION) position!: string;
}

export class MeResponse implements MeView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null for a phone account without one' }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true }) statusMessage!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference' }) photoUrl!: string | null;
  @ApiProperty({ type: PrivacyResponse }) privacy!: PrivacyResponse;
  @ApiProperty(DATE_TIME) registeredAt!: string;
}

export class ProfileUpdatedResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty(POSITION) position!: string;
}

export class StatusMessageSetResponse {
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty(POSITION) position!: string;
}

export class PhotoSetResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference' }) url!: string | null;
  @ApiProperty(POSITION) position!: string;
}

export class PasswordChangedResponse {
  @ApiProperty(POSITION) position!: string;
}

export class StatusMessageEntryResponse implements StatusMessageEntry {
  @ApiProperty({ type: String, nullable: true, description: 'null: cleared' }) message!: string | null;
  @ApiProperty(DATE_TIME) changedAt!: string;
}

export class PhotoEntryResponse implements PhotoEntry {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'null: removed' }) url!: string | null;
  @ApiProperty(DATE_TIME) changedAt!: string;
}

export class StatusMessageHistoryResponse implements HistoryPage<StatusMessageEntry> {
  @ApiProperty({ type: [StatusMessageEntryResponse] }) items!: StatusMessageEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next (older) page; null on the last' }) nextCursor!: string | null;
}

export class PhotoHistoryResponse implements HistoryPage<PhotoEntry> {
  @ApiProperty({ type: [PhotoEntryResponse] }) items!: PhotoEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next (older) page; null on the last' }) nextCursor!: string | null;
}
