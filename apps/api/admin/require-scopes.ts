import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { ApiKeyScope } from '../../../libs/domain/api-keys/api-key.decider';
import { ApiErrors } from '../common/openapi';
import { ApiKeyGuard } from './api-key.guard';
import { REQUIRED_SCOPES } from './require-scopes.metadata';

export { REQUIRED_SCOPES };

/**
 * An admin route: callable with an `X-Api-Key` that holds every scope named
 * (for example `admin:users`). Without a valid key: 401 (`AUTH.API_KEY_MISSING`,
 * `AUTH.API_KEY_INVALID`, `AUTH.API_KEY_REVOKED`); without the scope: 403
 * `AUTH.SCOPE_MISSING`. On a class and a method, the scopes add up.
 */
export const RequireScopes = (...scopes: ApiKeyScope[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    UseGuards(ApiKeyGuard),
    // The scheme once: the document lists it as the operation's security, never as an X-Api-Key parameter.
    ApiSecurity('api-key'),
    ApiErrors(401, 403),
  );
