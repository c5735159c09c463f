import type { EmailClaimed, ParleyEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { emailClaimDecider, type ClaimEmail, type EmailClaimState } from './email-claim.decider';

describe('emailClaimDecider (stream email-<emailKey>)', () => {
  const { given } = deciderSpec<ClaimEmail, ParleyEvent, EmailClaimState>(emailClaimDecider);
  const claim = (userId: string): ClaimEmail => ({ type: 'ClaimEmail', emailKey: 'key(alice@example.com)', userId });
  const claimed = (userId: string): EmailClaimed => ({ type: 'EmailClaimed', data: { emailKey: 'key(alice@example.com)', userId } });

  it('claims an unclaimed address for the account', () => {
    given([]).when(claim('u-alice')).then([claimed('u-alice')]);
  });

  it('writes nothing when the holder claims again: a retry, or one after a crash before the account was registered', () => {
    given([claimed('u-alice')]).when(claim('u-alice')).then([]);
  });

  it('refuses an address another account holds: 409 USER.EMAIL_TAKEN', () => {
    given([claimed('u-bob')]).when(claim('u-alice')).thenThrows('USER.EMAIL_TAKEN', 'conflict');
  });

  it('keeps the first holder: claims never change hands', () => {
    given([claimed('u-bob'), claimed('u-alice')]).when(claim('u-alice')).thenThrows('USER.EMAIL_TAKEN', 'conflict');
  });
});
