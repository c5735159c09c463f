import { Injectable } from '@nestjs/common';

/** One entry of a user's address book as the API shows it. */
export interface ContactView {
  readonly contactId: string;
  readonly kind: 'phone' | 'username' | 'user';
  readonly firstName: string;
  readonly lastName: string;
  /** The registered account the entry is matched to, or null. */
  readonly userId: string | null;
}

/**
 * What other features ask of contacts and blocking (issue #5): privacy rules
 * ("contacts" means the viewer is in the owner's address book, matched to an
 * account) and blocking on the messaging paths.
 */
@Injectable()
export class ContactDirectory {
  /** The owner's entry for `contactId` (a phone number, username or user id as typed), or null. */
  async entry(_ownerId: string, _contactId: string): Promise<ContactView | null> {
    return null;
  }

  /** Every entry of the owner's address book. */
  async contactsOf(_ownerId: string): Promise<ContactView[]> {
    return [];
  }

  /** Whether `userId` is in `ownerId`'s address book (an entry matched to that account). */
  async isContact(_ownerId: string, _userId: string): Promise<boolean> {
    return false;
  }

  /** Of `userIds`, those in `ownerId`'s address book; one query for many. */
  async contactsAmong(_ownerId: string, _userIds: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set();
  }

  /** Whether `userId` has blocked `otherId` (from the log, never stale). */
  async hasBlocked(_userId: string, _otherId: string): Promise<boolean> {
    return false;
  }

  /** Whether either of the two has blocked the other. */
  async blockedEitherWay(a: string, b: string): Promise<boolean> {
    return (await this.hasBlocked(a, b)) || (await this.hasBlocked(b, a));
  }
}
