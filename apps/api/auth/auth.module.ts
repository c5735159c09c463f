import { PublicRateLimit } from '../common/public-rate-limit';
import { SessionsController } from './sessions.controller';
import { EndOtherSessionsHandler, EndSessionHandler, ListSessionsHandler } from './sessions.commands';
import { SignInLimiter } from './sign-in-limiter';
import { UserSessions } from './user-sessions';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AdminModule } from '../admin/admin.module';
import { UsersModule } from '../users/users.module';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthGuard } from './auth.guard';
import { JwksController, OauthController } from './oauth.controller';
import { PasswordGrantHandler } from './password-grant.command';
import { EmailPasswordGrantHandler } from './email-password-grant.command';
import { RefreshGrantHandler } from './refresh-grant.command';
import { RevokeTokenHandler } from './revoke-token.command';
import { TokenFamilyStates } from './token-family-states';
import { TokenService } from './token.service';

/** Sign-in (OAuth grants, token families, JWKS) and the guard that asks every route for a Bearer token. */
@Module({
  imports: [InfrastructureModule, UsersModule, ApplicationsModule, AdminModule],
  controllers: [OauthController, JwksController, SessionsController],
  providers: [
    TokenService,
    TokenFamilyStates,
    PasswordGrantHandler,
    EmailPasswordGrantHandler,
    RefreshGrantHandler,
    RevokeTokenHandler,
    UserSessions,
    ListSessionsHandler,
    EndSessionHandler,
    EndOtherSessionsHandler,
    SignInLimiter,
    PublicRateLimit,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService, SignInLimiter],
})
export class AuthModule {}
