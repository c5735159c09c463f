import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';

export class RegisterApplicationDto {
  @ApiProperty({ example: 'Support chat', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    description: 'SPKI PEM of an RSA key (at least 2048 bits) the application signs its RS256 tokens with. Without it Parley generates a pair and answers the private key once.',
    maxLength: 10_000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  publicKey?: string;
}

export class CreateApplicationUserDto {
  @ApiProperty({ example: 'alice', maxLength: 100, description: 'The application’s handle for the user (its tokens’ `sub`); unique in the application' })
  @IsString()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 100, description: 'Defaults to the name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  displayName?: string;
}

/** What an application changes on a user it created; only the fields given change. */
export class UpdateApplicationUserDto {
  @ApiPropertyOptional({ example: 'Alice B.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  displayName?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2048, description: 'An absolute http(s) URL; null removes it' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(2048)
  imageUrl?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The application’s custom_data on the user, replaced whole; bounded like a room’s (8 KiB as JSON, 16 levels)',
  })
  @IsOptional()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class CursorPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'From the previous page’s `next`' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class InviteMembersDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: 500 })
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  userIds!: string[];
}
