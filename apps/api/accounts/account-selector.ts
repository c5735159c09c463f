import { Injectable } from '@nestjs/common';
import { checkAccountSelection } from '../../../libs/domain/users/phone-account.decider';
import { UserStates } from '../users/user-states';

/** Whether a login holds an account, from the account's own stream (exact, no read-model lag). */
@Injectable()
export class AccountOwnership {
  constructor(private readonly users: UserStates) {}

  async check(loginId: string, accountId: string, options: { readonly pendingToo?: boolean } = {}): Promise<void> {
    const { state } = await this.users.load(accountId);
    checkAccountSelection(loginId, state, options);
  }
}
