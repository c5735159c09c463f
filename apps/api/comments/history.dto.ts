import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { validationError } from '../../../libs/domain/errors';
import { MAX_DELETED_COMMENTS } from '../../../libs/domain/rooms/room.decider';
import type { HistoryBlock } from './delete-history.command';

export class IsoWeekDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1970, maximum: 9999, example: 2016 })
  @IsInt()
  @Min(1970)
  @Max(9999)
  year!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 53, example: 20 })
  @IsInt()
  @Min(1)
  @Max(53)
  week!: number;
}

/** One block of history to delete: exactly one of `commentIds`, `week` or `all`. */
export class DeleteHistoryDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_DELETED_COMMENTS, description: 'Comments of this room' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DELETED_COMMENTS)
  @IsUUID('all', { each: true })
  commentIds?: string[];

  @ApiPropertyOptional({ type: IsoWeekDto, description: 'Every comment of this ISO week' })
  @IsOptional()
  @ValidateNested()
  @Type(() => IsoWeekDto)
  week?: IsoWeekDto;

  @ApiPropertyOptional({ enum: [true], description: 'The whole history up to now' })
  @IsOptional()
  @Equals(true)
  all?: true;
}

/** The block a valid body names; none or several is a 400 naming the fields. */
export function historyBlockOf(body: DeleteHistoryDto): HistoryBlock {
  const given = (['commentIds', 'week', 'all'] as const).filter((field) => body[field] !== undefined);
  if (given.length !== 1) {
    const fields = given.length === 0 ? ['commentIds', 'week', 'all'] : given;
    throw validationError('HISTORY.BLOCK_INVALID', 'Give exactly one of commentIds, week or all', fields.map((field) => ({ field, reason: 'exactly one of commentIds, week or all' })));
  }
  if (body.commentIds !== undefined) return { scope: 'comments', commentIds: [...new Set(body.commentIds.map((id) => id.toLowerCase()))] };
  if (body.week !== undefined) return { scope: 'week', year: body.week.year, week: body.week.week };
  return { scope: 'all' };
}
