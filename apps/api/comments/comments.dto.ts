import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  Equals,
} from 'class-validator';
import { PAYLOAD_LIMITS } from '../../../libs/domain/json-limits';
import { IsBoundedJson } from '../common/bounded-json';
import { COMMENT_MAX_BYTES } from '../../../libs/domain/comments/comment.decider';
import { PageQueryDto } from '../common/page-query.dto';
import { IsText } from '../common/safe-text';

export class PostCommentDto {
  /** The size rule (64 KiB of text + payload, 413 COMMENT.TOO_LARGE) binds first; no longer text fits it. */
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: COMMENT_MAX_BYTES,
    description: 'At most 64 KiB of UTF-8 text and JSON payload together (413 COMMENT.TOO_LARGE); required unless attachments are given',
  })
  @ValidateIf((o: PostCommentDto) => o.text !== undefined || o.attachments === undefined || o.attachments.length === 0)
  @IsString()
  @Length(1, COMMENT_MAX_BYTES, { message: `text must be 1 to ${COMMENT_MAX_BYTES} characters` })
  @IsText()
  text?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 10, description: 'Ids of your own uploads (POST /v1/media) to attach' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true, message: 'attachments must be media ids' })
  attachments?: string[];

  @ApiPropertyOptional({
    description: "The client's own id for the comment (Qiscus unique_temp_id); a retry with it writes nothing new",
    pattern: '^[\\x21-\\x7e]{1,200}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'clientId must be 1-200 printable ASCII characters' })
  clientId?: string;

  @ApiPropertyOptional({ description: 'Id of the comment this one answers', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'replyTo must be a comment id' })
  replyTo?: string;

  @ApiPropertyOptional({
    default: 'text',
    description:
      'text, or an application type such as custom, location, file_attachment; system_event only for a server acting for a member (act:users), with payload.type one of Qiscus\' system event types',
    pattern: '^((?!system)[a-z][a-z0-9_]{0,31}|system_event)$',
  })
  @IsOptional()
  @Matches(/^((?!system)[a-z][a-z0-9_]{0,31}|system_event)$/, {
    message: 'type must be 1-32 lowercase letters, digits or "_", and not a system type (system_event is for servers acting for users)',
  })
  type?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      `Free-form JSON object: at most ${PAYLOAD_LIMITS.maxDepth} levels deep, ${PAYLOAD_LIMITS.maxKeysPerObject} keys per object, ` +
      `${PAYLOAD_LIMITS.maxItemsPerArray} items per array, strings of ${PAYLOAD_LIMITS.maxStringLength} and keys of ` +
      `${PAYLOAD_LIMITS.maxKeyLength} characters, ${PAYLOAD_LIMITS.maxBytes} bytes as JSON`,
  })
  @IsOptional()
  @IsObject()
  @IsBoundedJson(PAYLOAD_LIMITS)
  payload?: Record<string, unknown>;
}

export class ListCommentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Items before the comment with this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before must be a whole number' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'before must be at most 9007199254740991 (2^53 - 1)' })
  before?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Items after the comment with this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'after must be at most 9007199254740991 (2^53 - 1)' })
  after?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'ISO time, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'ISO time, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 time' })
  until?: string;
}

export class MarkReadDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Mark read up to this seq (required unless unread)' })
  @ValidateIf((o: MarkReadDto) => o.unread === undefined)
  @IsInt({ message: 'seq must be a whole number (or send { "unread": true })' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'seq must be at most 9007199254740991 (2^53 - 1)' })
  seq?: number;

  @ApiPropertyOptional({ enum: [true], description: 'true marks the room unread again' })
  @IsOptional()
  @IsBoolean()
  @Equals(true, { message: 'unread can only be true' })
  unread?: boolean;
}

