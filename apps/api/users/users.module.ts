import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AccountRemovalController } from './account-removal.controller';
import { EmailAccounts } from './email-accounts';
import { ChangePasswordHandler, ExecuteProfileCommandHandler } from './profile.command';
import { ProfileController } from './profile.controller';
import { GetMeHandler, ProfileHistoryHandler } from './profile.queries';
import { RegisterUserHandler } from './register-user.command';
import { RemoveUserHandler } from './remove-user.command';
import { UserStates } from './user-states';
import { UsersController } from './users.controller';

/** Registration, profiles and account removal; other features ask UserStates whether a user exists and is active. */
@Module({
  imports: [InfrastructureModule],
  controllers: [UsersController, ProfileController, AccountRemovalController],
  providers: [
    UserStates,
    EmailAccounts,
    RegisterUserHandler,
    ExecuteProfileCommandHandler,
    ChangePasswordHandler,
    GetMeHandler,
    ProfileHistoryHandler,
    RemoveUserHandler,
  ],
  exports: [UserStates, EmailAccounts],
})
export class UsersModule {}
