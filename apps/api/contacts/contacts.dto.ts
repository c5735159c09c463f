import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_CONTACTS, MAX_CONTACT_ID_LENGTH, MAX_NAME_LENGTH, type ContactKind } from '../../../libs/domain/contacts/contact-id';
import { MAX_BLOCKED } from '../../../libs/domain/contacts/blocks.decider';
import { PageQueryDto } from '../common/page-query.dto';
import { IsName } from '../common/safe-text';

const KIND_MESSAGE = { message: 'kind must be phone, username or user' };

export class ContactEntryDto {
  @ApiProperty({ example: '+15551230001', maxLength: MAX_CONTACT_ID_LENGTH, description: 'A phone number (E.164), a username or a user id' })
  @IsString()
  @MaxLength(MAX_CONTACT_ID_LENGTH)
  contactId!: string;

  @ApiPropertyOptional({ enum: ['phone', 'username', 'user'], description: 'How to read contactId; guessed when absent' })
  @IsOptional()
  @IsIn(['phone', 'username', 'user'], KIND_MESSAGE)
  kind?: ContactKind;

  @ApiPropertyOptional({ maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  @IsName()
  firstName?: string;

  @ApiPropertyOptional({ maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  @IsName()
  lastName?: string;
}

/**
 * The whole address book. Entries are checked by the domain (not nested DTOs):
 * at 10,000 entries that is several times faster, and a refusal names
 * `contacts[17].contactId`.
 */
export class ImportContactsDto {
  @ApiProperty({ type: [ContactEntryDto], maxItems: MAX_CONTACTS, description: 'Replaces the whole list; [] clears it' })
  @IsArray({ message: 'contacts must be an array of { contactId, kind?, firstName?, lastName? }' })
  contacts!: unknown[];
}

export class RenameContactDto {
  @ApiPropertyOptional({ maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  @IsName()
  firstName?: string;

  @ApiPropertyOptional({ maxLength: MAX_NAME_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  @IsName()
  lastName?: string;
}

export class RemoveContactsDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_CONTACTS, description: 'Contact ids to remove; ids not in the book are reported as missing' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CONTACTS)
  @IsString({ each: true, message: 'each entry of contacts must be a contact id' })
  contacts!: string[];
}

export class ReplaceBlockedDto {
  @ApiProperty({ type: [String], maxItems: MAX_BLOCKED, description: 'User ids, usernames or phone numbers; replaces the whole list' })
  @IsArray()
  @ArrayMaxSize(MAX_BLOCKED)
  @IsString({ each: true, message: 'each entry of users must be a user id, username or phone number' })
  users!: string[];
}

export class ContactPathQueryDto {
  @ApiPropertyOptional({ enum: ['phone', 'username', 'user'], description: 'How to read the path id (a username of digits needs it)' })
  @IsOptional()
  @IsIn(['phone', 'username', 'user'], KIND_MESSAGE)
  kind?: ContactKind;
}

export class ListContactsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
