import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { UsersModule } from '../users/users.module';
import { AuthGuard } from './auth.guard';
import { JwksController, OauthController } from './oauth.controller';
import { PasswordGrantHandler } from './password-grant.command';
import { RefreshGrantHandler } from './refresh-grant.command';
import { RevokeTokenHandler } from './revoke-token.command';
import { TokenFamilyStates } from './token-family-states';
import { TokenService } from './token.service';

/** Sign-in (OAuth grants, token families, JWKS) and the guard that asks every route for a Bearer token. */
@Module({
  imports: [InfrastructureModule, UsersModule],
  controllers: [OauthController, JwksController],
  providers: [
    TokenService,
    TokenFamilyStates,
    PasswordGrantHandler,
    RefreshGrantHandler,
    RevokeTokenHandler,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}
