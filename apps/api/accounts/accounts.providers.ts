import type { Provider, Type } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { PARLEY_CONFIG } from '../infrastructure/tokens';
import { AccountsController } from './accounts.controller';
import { CODE_SENDER, createCodeSender } from './code-sender';
import { CreatePhoneAccountHandler } from './create-phone-account.command';
import { AccountsClock, PhoneAccounts } from './phone-accounts';
import { RequestCodeHandler } from './request-code.command';
import { VerificationCodesController } from './verification-codes.controller';
import { VerifyCodeHandler } from './verify-code.command';

/** Accounts by phone (issue #4), spread into AppModule's lists. */
export const accountsControllers: Type[] = [AccountsController, VerificationCodesController];

export const accountsProviders: Provider[] = [
  { provide: CODE_SENDER, inject: [PARLEY_CONFIG], useFactory: (config: ParleyConfig) => createCodeSender(config.codeSender) },
  AccountsClock,
  PhoneAccounts,
  CreatePhoneAccountHandler,
  RequestCodeHandler,
  VerifyCodeHandler,
];
