import { Inject, Injectable } from '@nestjs/common';
import type { ParsedContactId } from '../../../libs/domain/contacts/contact-id';
import { streams } from '../../../libs/domain/streams';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import { EVENT_STORE } from '../infrastructure/tokens';
import { UserStates } from '../users/user-states';
import { ContactIds } from './contact-ids';

/**
 * The account a contact id names, from the log: a user id directly, a
 * username through its claim (`username-<name>`), a phone number through the
 * accounts of its keyed hash (`UserStates.byPhoneKey`).
 */
@Injectable()
export class AccountResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly users: UserStates,
    private readonly ids: ContactIds,
  ) {}

  /** The id the contact id is claimed by, whatever the account's state now; null when nobody claimed it. */
  async claimant(parsed: ParsedContactId): Promise<string | null> {
    switch (parsed.kind) {
      case 'user':
        return parsed.contactId;
      case 'username':
        return this.claimedIn(streams.username(parsed.contactId), 'forwards');
      case 'phone':
        return (await this.users.byPhoneKey(this.ids.phoneKeyOf(parsed.contactId))).claimant;
    }
  }

  /** The active account (registered, or a verified phone account) the contact id names, or null. */
  async account(parsed: ParsedContactId): Promise<string | null> {
    const userId = await this.claimant(parsed);
    if (userId === null) return null;
    const { state } = await this.users.load(userId);
    return state.status === 'registered' ? userId : null;
  }

  private async claimedIn(streamId: string, direction: 'forwards' | 'backwards'): Promise<string | null> {
    const [claim] = await this.store.readStream(streamId, { direction, maxCount: 1 });
    const userId = (claim?.data as { userId?: unknown } | undefined)?.userId;
    return typeof userId === 'string' ? userId : null;
  }
}
