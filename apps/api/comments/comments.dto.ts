import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateIf,
  Equals,
} from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';

export class PostCommentDto {
  @ApiProperty({ minLength: 1, maxLength: 10000 })
  @IsString()
  @Length(1, 10000, { message: 'text must be 1 to 10000 characters' })
  text!: string;

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
    description: 'text, or an application type such as custom, location, file_attachment',
    pattern: '^(?!system)[a-z][a-z0-9_]{0,31}$',
  })
  @IsOptional()
  @Matches(/^(?!system)[a-z][a-z0-9_]{0,31}$/, {
    message: 'type must be 1-32 lowercase letters, digits or "_", and not a system type',
  })
  type?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Any JSON object, kept as posted' })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}

export class ListCommentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Items before the comment with this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before must be a whole number' })
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Items after the comment with this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number' })
  @Min(0)
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
  seq?: number;

  @ApiPropertyOptional({ enum: [true], description: 'true marks the room unread again' })
  @IsOptional()
  @IsBoolean()
  @Equals(true, { message: 'unread can only be true' })
  unread?: boolean;
}

