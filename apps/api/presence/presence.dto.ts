import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import type { PresenceStatus } from '../../../libs/domain/events';
import {
  PRESENCE_DEVICE_FIELD_MAX,
  PRESENCE_MESSAGE_MAX,
  PRESENCE_STATUSES,
} from '../../../libs/domain/presence/presence.decider';
import { PageQueryDto } from '../common/page-query.dto';
import { IsName, IsText } from '../common/safe-text';

export class PresenceDeviceDto {
  @ApiProperty({ example: 'Pixel 8' })
  @IsString()
  @MinLength(1)
  @MaxLength(PRESENCE_DEVICE_FIELD_MAX)
  @IsName()
  name!: string;

  @ApiProperty({ example: 'android' })
  @IsString()
  @MinLength(1)
  @MaxLength(PRESENCE_DEVICE_FIELD_MAX)
  @IsName()
  platform!: string;

  @ApiProperty({ example: '14' })
  @IsString()
  @MinLength(1)
  @MaxLength(PRESENCE_DEVICE_FIELD_MAX)
  @IsName()
  version!: string;
}

/** The whole presence: what is left out (message, device) is cleared. */
export class SetPresenceDto {
  @ApiProperty({ enum: PRESENCE_STATUSES })
  @IsIn(PRESENCE_STATUSES, { message: `status must be one of ${PRESENCE_STATUSES.join(', ')}` })
  status!: PresenceStatus;

  @ApiPropertyOptional({ nullable: true, maxLength: PRESENCE_MESSAGE_MAX, description: 'Null, "" or left out: no message' })
  @IsOptional()
  @IsString()
  @MaxLength(PRESENCE_MESSAGE_MAX)
  @IsText()
  message?: string | null;

  @ApiPropertyOptional({ type: PresenceDeviceDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => PresenceDeviceDto)
  device?: PresenceDeviceDto | null;
}

/** An administrator sets status and message; the device stays as the user's client set it. */
export class AdminSetPresenceDto {
  @ApiProperty({ enum: PRESENCE_STATUSES })
  @IsIn(PRESENCE_STATUSES, { message: `status must be one of ${PRESENCE_STATUSES.join(', ')}` })
  status!: PresenceStatus;

  @ApiPropertyOptional({ nullable: true, maxLength: PRESENCE_MESSAGE_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(PRESENCE_MESSAGE_MAX)
  @IsText()
  message?: string | null;
}

/** A partial update by an administrator (Trillian's PATCH): what is left out stays as it is. */
export class AdminPatchPresenceDto {
  @ApiPropertyOptional({ enum: PRESENCE_STATUSES, description: 'Left out: the status stays' })
  @IsOptional()
  @IsIn(PRESENCE_STATUSES, { message: `status must be one of ${PRESENCE_STATUSES.join(', ')}` })
  status?: PresenceStatus;

  @ApiPropertyOptional({ nullable: true, maxLength: PRESENCE_MESSAGE_MAX, description: 'Left out: the message stays; null or "" clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(PRESENCE_MESSAGE_MAX)
  @IsText()
  message?: string | null;
}

export class AdminPresenceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PRESENCE_STATUSES, description: 'Only users with this status (as set, invisible included)' })
  @IsOptional()
  @IsIn(PRESENCE_STATUSES, { message: `status must be one of ${PRESENCE_STATUSES.join(', ')}` })
  status?: PresenceStatus;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
