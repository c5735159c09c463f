import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard';

export const REQUIRED_SCOPES = 'parley:required-scopes';

/**
 * An admin route: callable with an `X-Api-Key` that holds every scope named
 * (for example `admin:users`). Without the key: 401; without the scope: 403.
 */
export const RequireScopes = (...scopes: string[]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), UseGuards(ApiKeyGuard), ApiSecurity('api-key'));
