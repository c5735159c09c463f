import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
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
