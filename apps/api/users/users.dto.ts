import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsName } from '../common/safe-text';

export class RegisterUserDto {
  @ApiProperty({ example: 'alice', description: '3-32 letters, digits, dot, dash or underscore', pattern: '^[A-Za-z0-9_.-]{3,32}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'username must be 3-32 letters, digits, ".", "-" or "_"' })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @Length(8, 200, { message: 'password must be 8 to 200 characters' })
  password!: string;

  @ApiPropertyOptional({ example: 'Alice', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsName()
  displayName?: string;
}
