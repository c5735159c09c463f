import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsName } from '../../common/safe-text';

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

export class TrillianPresenceDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'string', pattern: '^[0-4]$' }, { type: 'integer', minimum: 0, maximum: 4 }], description: '0 offline, 1 online, 2 away, 3 busy, 4 invisible' })
  @IsOptional()
  @AsText()
  @IsString()
  @Matches(/^[0-4]$/, { message: 'status must be 0 (offline), 1 (online), 2 (away), 3 (busy) or 4 (invisible)' })
  status?: string;

  @ApiPropertyOptional({ description: 'The status message; empty clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  message?: string;
}

/** Trillian's user fields: `im` is the Parley username; `email` is checked but not kept (Parley's users have none of their own). */
export class TrillianUserDto {
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9_.-]{3,32}$', description: 'The Parley username (3-32 letters, digits, ".", "-" or "_"; an IM address with @domain is not one); set at creation only' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'im must be a username: 3-32 letters, digits, ".", "-" or "_"' })
  im?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 200, description: 'Required at creation; sets a new password on update' })
  @IsOptional()
  @IsString()
  @Length(8, 200, { message: 'password must be 8 to 200 characters' })
  password?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, description: 'Shown to other users' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'displayname must be 1 to 100 characters' })
  @IsName()
  displayname?: string;

  @ApiPropertyOptional({ format: 'email', description: 'Checked as an address, not kept' })
  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;
}
