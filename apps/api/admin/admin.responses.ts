import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../libs/domain/api-keys/api-key.decider';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import { PrivacyResponse } from '../users/users.responses';
import type { AdminUserPage, AdminUserView } from './admin-users.queries';
import type { ApiKeyView } from '../../../libs/api-keys/api-key-views';

export class AdminUserResponse implements AdminUserView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '"Deleted user" for a removed account' }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true }) statusMessage!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference' }) photoUrl!: string | null;
  @ApiProperty({ type: PrivacyResponse }) privacy!: PrivacyResponse;
  @ApiProperty({ enum: ['active', 'pending', 'removed'] }) status!: 'active' | 'pending' | 'removed';
  @ApiProperty() removed!: boolean;
  @ApiProperty(DATE_TIME) registeredAt!: string;
}

export class AdminUserPageResponse implements AdminUserPage {
  @ApiProperty({ ...WHOLE, description: 'Every active user matching q' }) total!: number;
  @ApiProperty(WHOLE) offset!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100 }) limit!: number;
  @ApiProperty({ type: [AdminUserResponse] }) users!: AdminUserResponse[];
}

export class AdminUpdatedUserResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty(POSITION) position!: string;
}

export class ApiKeyResponse implements ApiKeyView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty({ enum: ['active', 'revoked'] }) status!: 'active' | 'revoked';
  @ApiProperty({ description: 'The key printed at the first start of the installation' }) bootstrap!: boolean;
  @ApiProperty({ example: 'apikey:admin' }) createdBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) revokedBy!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) revokedAt!: string | null;
}

export class ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyResponse] }) items!: ApiKeyResponse[];
}

export class CreatedApiKeyResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty({ description: 'The key itself: shown this once, stored nowhere' }) key!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(POSITION) position!: string;
}

export class RevokedApiKeyResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ['revoked'] }) status!: 'revoked';
  @ApiProperty({ ...WHOLE, description: '0 when the key was revoked already' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}
