import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { ORG_NAME_MAX, ORG_PRIORITY_MAX } from '../../../libs/domain/org/org.decider';
import { IsName } from '../common/safe-text';

const ID = { type: 'integer', minimum: 1 } as const;

export class CreateGroupDto {
  @ApiProperty({ maxLength: ORG_NAME_MAX, description: 'What clients show', example: 'Sales' })
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  @IsName()
  displayName!: string;

  @ApiPropertyOptional({ maxLength: ORG_NAME_MAX, description: 'Internal and unique; defaults to group-<id>' })
  @IsOptional()
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  @IsName()
  name?: string;

  @ApiPropertyOptional({ ...ID, nullable: true, description: 'The parent group; null for none' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  parentId?: number | null;

  @ApiPropertyOptional({ ...ID, nullable: true, description: 'The policy bound to the group; its members inherit it' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  policyId?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: -ORG_PRIORITY_MAX, maximum: ORG_PRIORITY_MAX, description: 'Higher wins when a user’s groups’ policies disagree' })
  @IsOptional()
  @IsInt()
  @Min(-ORG_PRIORITY_MAX)
  @Max(ORG_PRIORITY_MAX)
  priority?: number;

  @ApiPropertyOptional({ description: 'Bound to an LDAP object' })
  @IsOptional()
  @IsBoolean()
  ldap?: boolean;
}

export class UpdateGroupDto {
  @ApiPropertyOptional({ maxLength: ORG_NAME_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  @IsName()
  displayName?: string;

  @ApiPropertyOptional({ maxLength: ORG_NAME_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  @IsName()
  name?: string;

  @ApiPropertyOptional({ ...ID, nullable: true, description: 'null detaches the group from its parent' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  parentId?: number | null;

  @ApiPropertyOptional({ ...ID, nullable: true, description: 'null unbinds the policy' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  policyId?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: -ORG_PRIORITY_MAX, maximum: ORG_PRIORITY_MAX })
  @IsOptional()
  @IsInt()
  @Min(-ORG_PRIORITY_MAX)
  @Max(ORG_PRIORITY_MAX)
  priority?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  ldap?: boolean;
}

/** Items as base64 `key value` lines (Trillian's `data`) or as an object; the decider parses and checks both (POLICY.INVALID). */
export class CreatePolicyDto {
  @ApiProperty({ maxLength: ORG_NAME_MAX, example: 'IT' })
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  name!: string;

  @ApiPropertyOptional({ description: 'Base64 of UTF-8 `key value` lines; give this or items', example: 'dHJpbGxpYW4uaGlzdG9yeS5jbG91ZCAwCg==' })
  @ValidateIf((dto: CreatePolicyDto) => dto.items === undefined || dto.data !== undefined)
  @IsString()
  @MaxLength(1_000_000)
  data?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The items by key; give this or data',
    example: { 'trillian.history.cloud': '0' },
  })
  @IsOptional()
  @IsObject()
  items?: Record<string, string>;
}

export class UpdatePolicyDto {
  @ApiPropertyOptional({ maxLength: ORG_NAME_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(ORG_NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ description: 'Base64 of UTF-8 `key value` lines; replaces every item' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  data?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Replaces every item' })
  @IsOptional()
  @IsObject()
  items?: Record<string, string>;
}
