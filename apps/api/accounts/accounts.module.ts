import { Module } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { AdminModule } from '../admin/admin.module';
import { AuthModule } from '../auth/auth.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { UsersModule } from '../users/users.module';
import { AccountsController } from './accounts.controller';
import { CODE_SENDER, createCodeSender } from './code-sender';
import { CreatePhoneAccountHandler } from './create-phone-account.command';
import { AccountsClock, PhoneAccounts } from './phone-accounts';
import { RequestCodeHandler } from './request-code.command';
import { VerificationCodesController } from './verification-codes.controller';
import { VerifyAccountCodeHandler, VerifyCodeHandler } from './verify-code.command';
import { MyAccountsController } from './my-accounts.controller';
import { ListMyAccountsHandler } from './my-accounts.queries';
import { AccountOwnership } from './account-selector';

/** Accounts by phone (issue #4): verification codes and the accounts they open. */
@Module({
  imports: [InfrastructureModule, UsersModule, AuthModule, AdminModule],
  controllers: [AccountsController, MyAccountsController, VerificationCodesController],
  providers: [
    { provide: CODE_SENDER, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => createCodeSender(config.codeSender) },
    AccountsClock,
    PhoneAccounts,
    CreatePhoneAccountHandler,
    RequestCodeHandler,
    VerifyCodeHandler,
    VerifyAccountCodeHandler,
    ListMyAccountsHandler,
    AccountOwnership,
  ],
  exports: [AccountOwnership],
})
export class AccountsModule {}
