import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';

export class RegisterUserDto {
  @ApiProperty({ example: 'alice', description: '3-32 letters, digits, dot, dash or underscore' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'username must be 3-32 letters, digits, ".", "-" or "_"' })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @Length(8, 200, { message: 'password must be 8 to 200 characters' })
  password!: string;

  @ApiPropertyOptional({ example: 'Alice' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  displayName?: string;
}

/** OAuth 2 token request (RFC 6749 4.3 and 6), as JSON or form-encoded. */
export class TokenRequestDto {
  @ApiProperty({ enum: ['password', 'refresh_token'] })
  @IsIn(['password', 'refresh_token'], { message: 'grant_type must be password or refresh_token' })
  grant_type!: 'password' | 'refresh_token';

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password')
  @IsString()
  @MaxLength(200)
  username?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password')
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'refresh_token')
  @IsString()
  @MaxLength(4096)
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Accepted for compatibility with OAuth clients; not used' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_id?: string;
}
