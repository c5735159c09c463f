import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** OAuth 2 token request (RFC 6749 4.3 and 6), as JSON or form-encoded. */
export class TokenRequestDto {
  @ApiProperty({ enum: ['password', 'refresh_token'] })
  @IsIn(['password', 'refresh_token'], { message: 'grant_type must be password or refresh_token' })
  grant_type!: 'password' | 'refresh_token';

  @ApiPropertyOptional({ description: 'password grant' })
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password')
  @IsString()
  @MaxLength(200)
  username?: string;

  @ApiPropertyOptional({ description: 'password grant' })
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password')
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional({ description: 'refresh_token grant: the refresh token last received; it is used up' })
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'refresh_token')
  @IsString()
  @Length(1, 4096)
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Accepted for compatibility with OAuth clients; not used' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_id?: string;
}

export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;

/** Token revocation (RFC 7009), as JSON or form-encoded. */
export class RevokeTokenDto {
  @ApiProperty({ description: 'A refresh or an access token; its whole sign-in is revoked' })
  @IsString()
  @Length(1, 4096, { message: 'token must be 1 to 4096 characters' })
  token!: string;

  @ApiPropertyOptional({ enum: TOKEN_TYPE_HINTS })
  @IsOptional()
  @IsIn(TOKEN_TYPE_HINTS, { message: 'token_type_hint must be access_token or refresh_token' })
  token_type_hint?: (typeof TOKEN_TYPE_HINTS)[number];

  @ApiPropertyOptional({ description: 'Accepted for compatibility with OAuth clients; not used' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_id?: string;
}
