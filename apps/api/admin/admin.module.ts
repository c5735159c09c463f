import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AdminUserUpdates } from './admin-user-updates';
import { AdminUsersController } from './admin-users.controller';
import { GetAdminUserHandler, ListAdminUsersHandler } from './admin-users.queries';
import { ApiKeyBootstrap } from './api-key-bootstrap';
import { ExecuteApiKeyCommandHandler } from './api-key-command.command';
import { ApiKeyStates } from './api-key-states';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ListApiKeysHandler } from './api-keys.queries';

/**
 * The server-to-server admin API: API keys and the admin view of users.
 * Features whose routes use `@RequireScopes` import this module for the
 * ApiKeyGuard and the key states it checks against.
 */
@Module({
  imports: [InfrastructureModule],
  controllers: [ApiKeysController, AdminUsersController],
  providers: [
    ApiKeyStates,
    ApiKeyGuard,
    ExecuteApiKeyCommandHandler,
    ListApiKeysHandler,
    ApiKeyBootstrap,
    ListAdminUsersHandler,
    GetAdminUserHandler,
    AdminUserUpdates,
  ],
  exports: [ApiKeyStates, ApiKeyGuard, AdminUserUpdates],
})
export class AdminModule {}
