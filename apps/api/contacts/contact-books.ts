import { Inject, Injectable } from '@nestjs/common';
import {
  evolveContacts,
  initialContactsState,
  isContactEvent,
  type ContactsState,
} from '../../../libs/domain/contacts/contacts.decider';
import { upcast, type ContactEvent } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Books kept folded; each can hold 10,000 entries, so fewer than other caches. */
const CAPACITY = 256;
const PAGE = 100;

/**
 * Address books' decision state, from `contacts-<ownerId>`. A cached book
 * reads only the events after its revision. A book not in the cache is read
 * backwards to its last `ContactsImported` (which replaces everything before
 * it), so a cold load costs what changed since the last import, not every
 * import ever made.
 */
@Injectable()
export class ContactBooks {
  private readonly entries = new Map<string, Loaded<ContactsState>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(ownerId: string): Promise<Loaded<ContactsState>> {
    const streamId = streams.contacts(ownerId);
    const cached = this.entries.get(streamId);
    const loaded = cached ? await this.forward(streamId, cached) : await this.cold(streamId);
    this.entries.delete(streamId);
    this.entries.set(streamId, loaded);
    if (this.entries.size > CAPACITY) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return loaded;
  }

  /** The book's phone entries, E.164 → match key (a hint for the next import; no lock needed). */
  async phoneKeys(ownerId: string): Promise<ReadonlyMap<string, string>> {
    const { state } = await this.load(ownerId);
    const keys = new Map<string, string>();
    for (const entry of state.entries.values()) if (entry.kind === 'phone') keys.set(entry.contactId, entry.matchKey);
    return keys;
  }

  /**
   * After this process appended `events` at `expected`: the cached book moves
   * on without reading back (and opening) what was just written.
   */
  advance(ownerId: string, expected: number | null, events: readonly ContactEvent[], revision: number): void {
    const streamId = streams.contacts(ownerId);
    const cached = this.entries.get(streamId);
    if (!cached || cached.revision !== expected) return;
    this.entries.set(streamId, { state: events.reduce(evolveContacts, cached.state), revision });
  }

  private async forward(streamId: string, from: Loaded<ContactsState>): Promise<Loaded<ContactsState>> {
    let { state, revision } = from;
    for (;;) {
      const events = await this.store.readStream(streamId, { fromRevision: revision === null ? 0 : revision + 1, maxCount: 500 });
      for (const stored of events) {
        state = fold(state, stored);
        revision = stored.revision;
      }
      if (events.length < 500) return { state, revision };
    }
  }

  private async cold(streamId: string): Promise<Loaded<ContactsState>> {
    const tail: StoredEvent[] = [];
    let fromRevision: number | undefined;
    scan: for (;;) {
      const page = await this.store.readStream(streamId, { direction: 'backwards', maxCount: PAGE, fromRevision });
      for (const stored of page) {
        tail.push(stored);
        if (stored.type === 'ContactsImported') break scan;
      }
      const last = page[page.length - 1];
      if (page.length < PAGE || !last || last.revision === 0) break;
      fromRevision = last.revision - 1;
    }
    let state = initialContactsState;
    for (let i = tail.length - 1; i >= 0; i--) state = fold(state, tail[i]!);
    return { state, revision: tail[0]?.revision ?? null };
  }
}

function fold(state: ContactsState, stored: StoredEvent): ContactsState {
  const event = upcast(stored.type, stored.version, stored.data);
  return event && isContactEvent(event) ? evolveContacts(state, event) : state;
}
