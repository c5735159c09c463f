import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Form bodies carry every value as text; a JSON body may carry numbers. Both arrive here as text. */
const AsText = () => Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value));
const INTEGER = /^(0|[1-9][0-9]{0,9})$/;
const SIGNED = /^-?(0|[1-9][0-9]{0,8})$/;
const WIRE_INT = { oneOf: [{ type: 'string', pattern: INTEGER.source }, { type: 'integer', minimum: 0 }] };

export class TrillianGroupDto {
  @ApiPropertyOptional({ description: 'Shown to clients' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayname?: string;

  @ApiPropertyOptional({ description: 'Internal, unique' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ ...WIRE_INT, description: 'Parent group id, 0 for none' })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(INTEGER, { message: 'parent must be a group id or 0' })
  parent?: string;

  @ApiPropertyOptional({ ...WIRE_INT, description: 'Bound policy id, 0 for none' })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(INTEGER, { message: 'policy must be a policy id or 0' })
  policy?: string;

  @ApiPropertyOptional({ oneOf: [{ type: 'string', pattern: SIGNED.source }, { type: 'integer' }] })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(SIGNED, { message: 'priority must be an integer' })
  priority?: string;

  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: ['0', '1'] }, { type: 'integer', enum: [0, 1] }], description: '1 when bound to an LDAP object' })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(/^[01]$/, { message: 'type must be 0 or 1' })
  type?: string;
}

export class TrillianPolicyDto {
  @ApiPropertyOptional({ description: 'Base64 of `key value` lines' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  data?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class TrillianGroupchatDto {
  @ApiPropertyOptional({ description: 'Shown to members' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayname?: string;

  @ApiPropertyOptional({ ...WIRE_INT, description: 'GROUPCHAT_* flags: DELETED 0x1, DISABLE_DISPLAYNAME_SET 0x100, DISABLE_TOPIC_SET 0x200, DISABLE_LIST 0x400, DISABLE_MEMBER_ADD 0x800, DISABLE_MEMBER_REMOVE 0x1000, DISABLE_MESSAGE_SEND 0x2000' })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(INTEGER, { message: 'flags must be an unsigned 32-bit integer' })
  flags?: string;

  @ApiPropertyOptional({ description: 'Shown at the top of the message window; empty clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  topic?: string;
}

export class TrillianMessageDto {
  @ApiPropertyOptional({ description: 'The sending member (a user id)' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  message?: string;
}
