import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** The filters the export and the console's log pages share. */
class LogFilterDto {
  @ApiPropertyOptional({ description: 'Comma-separated event types', pattern: '^[A-Za-z]{1,64}(,[A-Za-z]{1,64}){0,49}$' })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,64}(,[A-Za-z]{1,64}){0,49}$/, { message: 'types must be comma-separated event type names' })
  types?: string;

  @ApiPropertyOptional({ description: 'Only streams whose id starts with this', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  streamPrefix?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 time' })
  until?: string;
}

export class EventsQueryDto extends LogFilterDto {
  @ApiPropertyOptional({ description: 'Exclusive start: the position of the last line already received', pattern: '^\\d{1,40}$' })
  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'from must be a decimal position' })
  from?: string;

  @ApiPropertyOptional({
    description:
      'Exclusive start given as a position of the log Parley ran on before a move to another store (once, after the move; the lines carry positions of the new log)',
    pattern: '^\\d{1,40}$',
  })
  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'fromPreviousLog must be a decimal position' })
  fromPreviousLog?: string;

  @ApiPropertyOptional({ description: 'The hash of the last line already received, to continue its chain', pattern: '^[0-9a-f]{64}$' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'prevHash must be a SHA-256 hex digest' })
  prevHash?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1_000_000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true keeps the response open and streams new events (continuous backup)' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'follow must be true or false' })
  follow?: 'true' | 'false';
}

export class RoomAuditQueryDto {
  @ApiPropertyOptional({ description: 'An ISO time or a log position; default now', pattern: '^(\\d{1,40}|\\d{4}-\\d{2}-\\d{2}T[\\d:.]+(Z|[+-]\\d{2}:\\d{2}))$' })
  @IsOptional()
  @Matches(/^(\d{1,40}|\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2}))$/, { message: 'at must be an ISO time or a position' })
  at?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'comments must be a whole number' })
  @Min(1)
  @Max(1000)
  comments?: number;
}

export class StreamAuditQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'fromRevision must be a whole number' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'fromRevision must be at most 9007199254740991 (2^53 - 1)' })
  fromRevision?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class LogPageQueryDto extends LogFilterDto {
  @ApiPropertyOptional({ description: 'Exclusive start: the `next` of the previous page; default the start of the log', pattern: '^\\d{1,40}$' })
  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'after must be a decimal position' })
  after?: string;

  @ApiPropertyOptional({ description: 'Inclusive end of the position range', pattern: '^\\d{1,40}$' })
  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'to must be a decimal position' })
  to?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'metadata.actor: a user id, apikey:<id> or system', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'metadata.correlationId: the events of one request and what followed from it', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  correlationId?: string;

}
