import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { PrivacyLevel } from '../../../libs/domain/events';
import {
  MAX_DISPLAY_NAME,
  MAX_PASSWORD,
  MAX_PHOTO_URL,
  MAX_STATUS_MESSAGE,
  MIN_PASSWORD,
} from '../../../libs/domain/users/profile.decider';
import { PageQueryDto } from '../common/page-query.dto';

/*
 * The DTOs check shapes and types; the limits (lengths, URL rules) are the
 * profile decider's, each refused with its own code (PROFILE.*).
 */

export const PRIVACY_LEVELS: readonly PrivacyLevel[] = ['none', 'contacts', 'all'];

export class UpdateMeDto {
  @ApiProperty({ example: 'Alice Liddell', minLength: 1, maxLength: MAX_DISPLAY_NAME, description: 'Trimmed; no line breaks' })
  @IsString()
  displayName!: string;
}

export class StatusMessageDto {
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_STATUS_MESSAGE,
    example: 'At the tea party',
    description: 'null, "" or blank clears it',
  })
  @ValidateIf((o: StatusMessageDto) => o.message !== null)
  @IsString({ message: 'message must be a string or null' })
  message!: string | null;
}

export class PhotoDto {
  @ApiProperty({ example: 'https://cdn.example.com/alice.png', format: 'uri', maxLength: MAX_PHOTO_URL, description: 'An absolute http(s) URL' })
  @IsString()
  url!: string;
}

const LEVEL_MESSAGE = (field: string) => ({ message: `${field} must be none, contacts or all` });

/**
 * Windu's names, snake_case, in the body and in the answer. Fields left out
 * keep their level; null is not a level.
 */
export class PrivacyDto {
  @ApiPropertyOptional({ enum: PRIVACY_LEVELS, description: 'Who sees the status message' })
  @ValidateIf((o: PrivacyDto) => o.status_message !== undefined)
  @IsIn(PRIVACY_LEVELS, LEVEL_MESSAGE('status_message'))
  status_message?: PrivacyLevel;

  @ApiPropertyOptional({ enum: PRIVACY_LEVELS, description: 'Who sees the profile photo' })
  @ValidateIf((o: PrivacyDto) => o.photo !== undefined)
  @IsIn(PRIVACY_LEVELS, LEVEL_MESSAGE('photo'))
  photo?: PrivacyLevel;

  @ApiPropertyOptional({ enum: PRIVACY_LEVELS, description: 'Who sees when the user was last online' })
  @ValidateIf((o: PrivacyDto) => o.last_seen !== undefined)
  @IsIn(PRIVACY_LEVELS, LEVEL_MESSAGE('last_seen'))
  last_seen?: PrivacyLevel;

  @ApiPropertyOptional({ enum: ['none', 'all'], description: "Whether the rooms' other members see how far the user read; reciprocal: who hides theirs sees no one's" })
  @ValidateIf((o: PrivacyDto) => o.read_receipts !== undefined)
  @IsIn(['none', 'all'], { message: 'read_receipts must be none or all' })
  read_receipts?: PrivacyLevel;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 1000 })
  @IsString()
  @MaxLength(1000)
  currentPassword!: string;

  @ApiProperty({ minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD })
  @IsString()
  newPassword!: string;
}

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
