import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { FEEDBACK_RATINGS, FEEDBACK_RELATIONS, type FeedbackRating, type FeedbackRelation } from '../../../libs/domain/events';
import { MAX_FEEDBACK } from '../../../libs/domain/community/feedback.decider';
import { MAX_ABOUT, MAX_COORDINATE_PRECISION, MAX_GUESTS, MAX_PROFILE_LINE } from '../../../libs/domain/community/member-profile.decider';

/* Lengths and character rules are the decider's (PROFILE.INVALID names the field); the DTO checks types. */

export class HostOffersDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_GUESTS }) @IsOptional() @IsInt() maxGuests?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() bed?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() shower?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() kitchen?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() laundry?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() lawnSpace?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() food?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() storage?: boolean;
  @ApiPropertyOptional({ description: 'Support and gear (a vehicle following the ride)' }) @IsOptional() @IsBoolean() sag?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() campground?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() motel?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() bikeShop?: boolean;
}

export class AvailabilityDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() notCurrentlyAvailable?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date', description: 'When hosting resumes; null clears' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  becomeAvailable?: string | null;
}

/** The fields given change; the others keep their value. */
export class MemberProfileDto {
  @ApiPropertyOptional({ maxLength: MAX_PROFILE_LINE }) @IsOptional() @IsString() fullName?: string;
  @ApiPropertyOptional({ maxLength: MAX_ABOUT }) @IsOptional() @IsString() about?: string;
  @ApiPropertyOptional({ maxLength: MAX_PROFILE_LINE, example: 'English, Français' }) @IsOptional() @IsString() languagesSpoken?: string;
  @ApiPropertyOptional({ maxLength: MAX_PROFILE_LINE }) @IsOptional() @IsString() city?: string;
  @ApiPropertyOptional({ maxLength: MAX_PROFILE_LINE }) @IsOptional() @IsString() province?: string;
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, lower case, or empty', example: 'fr' }) @IsOptional() @IsString() country?: string;
  @ApiPropertyOptional({ maxLength: MAX_PROFILE_LINE }) @IsOptional() @IsString() postalCode?: string;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -90, maximum: 90, description: 'null with longitude: no place' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  latitude?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -180, maximum: 180 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  longitude?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_COORDINATE_PRECISION, description: 'Decimals of the coordinates kept (2 is about 1 km)' })
  @IsOptional()
  @IsInt()
  coordinatePrecision?: number;

  @ApiPropertyOptional({ description: 'Listed by search; needs latitude and longitude' }) @IsOptional() @IsBoolean() findable?: boolean;

  @ApiPropertyOptional({ type: AvailabilityDto }) @IsOptional() @ValidateNested() @Type(() => AvailabilityDto) availability?: AvailabilityDto;

  @ApiPropertyOptional({ type: HostOffersDto }) @IsOptional() @ValidateNested() @Type(() => HostOffersDto) offers?: HostOffersDto;
}

const coordinate = (min: number, max: number) =>
  ({ type: Number, minimum: min, maximum: max }) as const;

/** A keyword (q), or a map area (all six coordinates); offset paging with a total. */
export class SearchMembersQueryDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Matched in username, names and city, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^\P{Cc}*$/u, { message: 'q must not contain control characters' })
  q?: string;

  @ApiPropertyOptional(coordinate(-90, 90)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'minLat must be a number' }) minLat?: number;
  @ApiPropertyOptional(coordinate(-90, 90)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'maxLat must be a number' }) maxLat?: number;
  @ApiPropertyOptional(coordinate(-180, 180)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'minLon must be a number' }) minLon?: number;
  @ApiPropertyOptional(coordinate(-180, 180)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'maxLon must be a number' }) maxLon?: number;
  @ApiPropertyOptional(coordinate(-90, 90)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'centerLat must be a number' }) centerLat?: number;
  @ApiPropertyOptional(coordinate(-180, 180)) @IsOptional() @Type(() => Number) @IsNumber({}, { message: 'centerLon must be a number' }) centerLon?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;
}

export class LeaveFeedbackDto {
  @ApiProperty({ enum: FEEDBACK_RATINGS }) @IsIn(FEEDBACK_RATINGS, { message: `rating must be one of ${FEEDBACK_RATINGS.join(', ')}` }) rating!: FeedbackRating;

  @ApiProperty({ minLength: 1, maxLength: MAX_FEEDBACK }) @IsString() body!: string;

  @ApiProperty({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', example: '2024-06', description: 'The month of the stay' })
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'stay must be a month (YYYY-MM)' })
  stay!: string;

  @ApiProperty({ enum: FEEDBACK_RELATIONS, description: 'What the author was to the member: their guest, their host, met traveling, other' })
  @IsIn(FEEDBACK_RELATIONS, { message: `relation must be one of ${FEEDBACK_RELATIONS.join(', ')}` })
  relation!: FeedbackRelation;
}
