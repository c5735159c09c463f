import { Injectable } from '@nestjs/common';
import { checkAccountSelection } from '../../../libs/domain/users/phone-account.decider';
import { UserStates } from '../users/user-states';
import { PhoneAccounts } from './phone-accounts';

/** Whether a login holds an account, from the account's own stream (exact, no read-model lag). */
@Injectable()
export class AccountOwnership {
  constructor(
    private readonly users: UserStates,
    private readonly phones: PhoneAccounts,
  ) {}

  async check(loginId: string, accountId: string, options: { readonly pendingToo?: boolean } = {}): Promise<void> {
    const { state } = await this.users.load(accountId);
    checkAccountSelection(loginId, state, options);
  }

  /** The login's account of a number (E.164), or 404 as the selector answers. */
  async byPhone(loginId: string, phone: string, options: { readonly pendingToo?: boolean } = {}): Promise<string> {
    const { accountId, state } = await this.phones.account(this.phones.phoneKey(phone));
    checkAccountSelection(loginId, state, options);
    return accountId;
  }
}
