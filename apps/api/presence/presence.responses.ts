import { ApiProperty } from '@nestjs/swagger';
import type { PresenceDevice, PresenceStatus } from '../../../libs/domain/events';
import { PRESENCE_STATUSES } from '../../../libs/domain/presence/presence.decider';
import type { SeenPresence } from '../../../libs/domain/presence/visibility';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import type { AdminPresencePage, AdminPresenceView } from './presence.queries';
import type { OwnPresenceView, PresenceResult } from './set-presence.command';

export class PresenceDeviceResponse implements PresenceDevice {
  @ApiProperty({ example: 'Pixel 8' }) name!: string;
  @ApiProperty({ example: 'android' }) platform!: string;
  @ApiProperty({ example: '14' }) version!: string;
}

/** Presence as another user may see it (privacy and blocks applied). */
export class SeenPresenceResponse implements SeenPresence {
  @ApiProperty({ enum: PRESENCE_STATUSES, description: 'offline whenever the owner is offline or invisible' }) status!: PresenceStatus;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: PresenceDeviceResponse, nullable: true }) device!: PresenceDeviceResponse | null;
  @ApiProperty({ ...DATE_TIME, nullable: true, description: "null when the owner's last_seen privacy hides it" }) lastSeenAt!: string | null;
}

export class OwnPresenceResponse implements OwnPresenceView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ enum: PRESENCE_STATUSES }) status!: PresenceStatus;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: PresenceDeviceResponse, nullable: true }) device!: PresenceDeviceResponse | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) lastSeenAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) changedAt!: string | null;
}

export class PresenceResultResponse extends OwnPresenceResponse implements PresenceResult {
  @ApiProperty({ ...WHOLE, description: 'Events written: 0 when nothing changed' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}

export class AdminPresenceResponse extends OwnPresenceResponse implements AdminPresenceView {
  @ApiProperty({ type: String, nullable: true, description: 'The user, or apikey:<id> when an administrator set it' }) changedBy!: string | null;
  @ApiProperty() removed!: boolean;
}

export class AdminPresencePageResponse implements AdminPresencePage {
  @ApiProperty({ type: [AdminPresenceResponse] }) items!: AdminPresenceResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
