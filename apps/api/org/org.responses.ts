import { ApiProperty } from '@nestjs/swagger';
import { POSITION, UUID } from '../common/openapi';
import type { DirectoryEntryView, EffectivePolicyView, GroupMembersView, GroupView, PolicyView } from './org-views';

const ID = { type: 'integer', minimum: 1 } as const;

export class GroupResponse implements GroupView {
  @ApiProperty(ID) id!: number;
  @ApiProperty() displayName!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ ...ID, nullable: true }) parentId!: number | null;
  @ApiProperty({ ...ID, nullable: true }) policyId!: number | null;
  @ApiProperty({ type: 'integer' }) priority!: number;
  @ApiProperty() ldap!: boolean;
  @ApiProperty({ type: 'array', items: ID, description: 'Groups whose members this group’s members see in their directory' }) peers!: number[];
}

export class GroupListResponse {
  @ApiProperty({ type: [GroupResponse] }) items!: GroupResponse[];
}

export class GroupCommandResponse {
  @ApiProperty({ type: GroupResponse, nullable: true, description: 'The group after the command; null once deleted' }) group!: GroupResponse | null;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when nothing changed' }) position!: string | null;
}

export class GroupMembersResponse implements GroupMembersView {
  @ApiProperty(ID) groupId!: number;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' } }) userIds!: string[];
}

export class PolicyItemResponse {
  @ApiProperty({ example: 'trillian.history.cloud' }) key!: string;
  @ApiProperty({ example: '0' }) value!: string;
}

export class PolicyResponse implements PolicyView {
  @ApiProperty(ID) id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [PolicyItemResponse] }) items!: PolicyItemResponse[];
  @ApiProperty({ description: 'The items as base64 of `key value` lines' }) data!: string;
}

export class PolicyListResponse {
  @ApiProperty({ type: [PolicyResponse] }) items!: PolicyResponse[];
}

export class PolicyCommandResponse {
  @ApiProperty({ type: PolicyResponse, nullable: true, description: 'The policy after the command; null once deleted' }) policy!: PolicyResponse | null;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when nothing changed' }) position!: string | null;
}

export class EffectiveItemResponse extends PolicyItemResponse {
  @ApiProperty(ID) policyId!: number;
  @ApiProperty({ ...ID, description: 'The group whose binding (its own or an ancestor’s) gave the value' }) groupId!: number;
}

export class EffectivePolicyResponse implements EffectivePolicyView {
  @ApiProperty({ type: [EffectiveItemResponse] }) items!: EffectiveItemResponse[];
  @ApiProperty({ description: 'false under `trillian.history.cloud 0`: history is served only from the current sign-in on' }) cloudHistory!: boolean;
  @ApiProperty({ description: 'false under `trillian.filetransfer 0`' }) fileTransfer!: boolean;
}

export class DirectoryEntryResponse implements DirectoryEntryView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: 'array', items: ID }) groups!: number[];
}

export class DirectoryResponse {
  @ApiProperty({ type: [DirectoryEntryResponse] }) items!: DirectoryEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'The next page’s cursor (entries by user id); null on the last page' }) nextCursor!: string | null;
}

export class OrgCommandResponse {
  @ApiProperty({ type: 'integer', minimum: 0 }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when nothing changed' }) position!: string | null;
}
