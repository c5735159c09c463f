import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_DISPLAY_NAME, MAX_PASSWORD, MIN_PASSWORD } from '../../../libs/domain/users/profile.decider';
import { RegisterUserDto } from '../users/users.dto';

/** Warmshowers-style search: a keyword, offset and limit; the answer counts every match. */
export class ListAdminUsersQueryDto {
  @ApiPropertyOptional({ description: 'Keyword matched anywhere in the username or display name, case-insensitive', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^\P{Cc}*$/u, { message: 'q must not contain control characters' })
  q?: string;

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

/** Nexmo's create user: the same rules as self-registration. */
export class AdminCreateUserDto extends RegisterUserDto {}

export class AdminUpdateUserDto {
  @ApiPropertyOptional({ example: 'Alice Liddell', maxLength: MAX_DISPLAY_NAME })
  @IsOptional()
  @IsString()
  displayName?: string;

  @ApiPropertyOptional({ minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD, description: 'Sets a new password; no current one needed' })
  @IsOptional()
  @IsString()
  password?: string;
}
