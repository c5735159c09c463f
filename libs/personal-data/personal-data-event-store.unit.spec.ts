import { randomBytes, randomUUID } from 'node:crypto';
import { EVENT_VERSIONS, type ParleyEvent } from '../domain/events';
import type { NewEvent, StoredEvent } from '../event-store/event-store.port';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { MemoryKeyStore } from './memory-key-store';
import { PersonalDataEventStore } from './personal-data-event-store';
import { isSealed, PersonalDataVault } from './vault';

const AT = '2026-05-01T10:00:00.000Z';
const envelope = (event: ParleyEvent): NewEvent => ({
  id: randomUUID(),
  type: event.type,
  version: EVENT_VERSIONS[event.type],
  data: event.data,
  metadata: {},
});
/** An erased user's password hash reads as null, like their name. */
const registered = (userId: string, displayName: string | null, passwordHash: string | null = displayName === null ? null : 'hash'): ParleyEvent => ({
  type: 'UserRegistered',
  data: { userId, username: `${userId}-name`, displayName, passwordHash, registeredAt: AT },
});
const status = (userId: string, message: string | null): ParleyEvent => ({
  type: 'StatusMessageChanged',
  data: { userId, message, changedBy: userId, changedAt: AT },
});
const presence = (userId: string): ParleyEvent => ({
  type: 'PresenceChanged',
  data: {
    userId,
    status: 'online',
    message: 'at the beach',
    device: { name: 'pixel', platform: 'android', version: '15' },
    changedBy: userId,
    changedAt: AT,
  },
});
const renamed = (roomId: string): ParleyEvent => ({
  type: 'RoomRenamed',
  data: { roomId, name: 'Plans', renamedBy: 'u1', renamedAt: AT },
});

describe('PersonalDataEventStore', () => {
  let raw: MemoryEventStore;
  let keys: MemoryKeyStore;
  let master: Buffer;
  let vault: PersonalDataVault;
  let store: PersonalDataEventStore;
  let warnings: string[];

  beforeEach(() => {
    raw = new MemoryEventStore();
    keys = new MemoryKeyStore();
    master = randomBytes(32);
    vault = new PersonalDataVault(keys, master);
    warnings = [];
    store = new PersonalDataEventStore(raw, vault, { warn: (message) => warnings.push(message) });
  });

  afterEach(async () => {
    await store.close();
  });

  const rawData = async (streamId: string): Promise<Record<string, unknown>[]> =>
    (await raw.readStream(streamId)).map((event) => event.data as Record<string, unknown>);

  it('stores personal fields sealed and nothing of them in clear, and reads them back opened', async () => {
    const appended = await store.append('user-u1', [envelope(registered('u1', 'Alice Liddell'))], 'no_stream');
    expect(appended.nextRevision).toBe(0);

    const [stored] = await rawData('user-u1');
    expect(isSealed(stored?.['displayName'])).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('Alice');
    // What is not personal stays readable in the log; the password hash is sealed like personal data.
    expect(stored).toMatchObject({ userId: 'u1', username: 'u1-name' });
    expect(isSealed(stored?.['passwordHash'])).toBe(true);

    const [read] = await store.readStream('user-u1');
    expect(read?.data).toEqual(registered('u1', 'Alice Liddell').data);
    const [all] = await store.readAll({ maxCount: 10 });
    expect(all?.data).toEqual(registered('u1', 'Alice Liddell').data);
    expect(all?.position).toBe(appended.position);
  });

  it('seals objects too, and keeps nulls as nulls', async () => {
    await store.append('presence-u1', [envelope(presence('u1'))], 'any');
    await store.append('user-u1', [envelope(status('u1', null))], 'any');
    const [sealedPresence] = await rawData('presence-u1');
    expect(isSealed(sealedPresence?.['device'])).toBe(true);
    expect(JSON.stringify(sealedPresence)).not.toContain('pixel');
    expect((await rawData('user-u1'))[0]?.['message']).toBeNull();
    expect((await store.readStream('presence-u1'))[0]?.data).toEqual(presence('u1').data);
  });

  it('leaves events without personal fields exactly as they are', async () => {
    const event = envelope(renamed('r1'));
    await store.append('room-r1', [event], 'any');
    expect(await rawData('room-r1')).toEqual([event.data]);
  });

  it('gives each user their own key: one user’s erasure leaves the other readable', async () => {
    await store.append('user-u1', [envelope(registered('u1', 'Alice'))], 'any');
    await store.append('user-u2', [envelope(registered('u2', 'Bob'))], 'any');
    await vault.destroy('u1');
    expect((await store.readStream('user-u1'))[0]?.data).toMatchObject({ userId: 'u1', displayName: null });
    expect((await store.readStream('user-u2'))[0]?.data).toMatchObject({ userId: 'u2', displayName: 'Bob' });
  });

  it('reads an erased user’s fields as null everywhere: stream, log, subscription', async () => {
    await store.append('user-u1', [envelope(registered('u1', 'Alice')), envelope(status('u1', 'hello'))], 'any');
    await vault.destroy('u1');
    const fromStream = (await store.readStream('user-u1')).map((event) => event.data);
    expect(fromStream).toEqual([registered('u1', null).data, status('u1', null).data]);

    const seen: StoredEvent[] = [];
    const subscription = store.subscribe({
      onBatch: async (events) => {
        seen.push(...events);
      },
    });
    const deadline = Date.now() + 2000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.close();
    expect(seen.map((event) => event.data)).toEqual([registered('u1', null).data, status('u1', null).data]);
  });

  it('stores personal data given for an erased user as erased', async () => {
    await vault.destroy('u1');
    await store.append('user-u1', [envelope(status('u1', 'still here?'))], 'any');
    expect((await rawData('user-u1'))[0]?.['message']).toBeNull();
  });

  it('erases fields written in clear before sealing existed once their owner is erased', async () => {
    await raw.append('user-u1', [envelope(registered('u1', 'Legacy Alice'))], 'any');
    expect((await store.readStream('user-u1'))[0]?.data).toMatchObject({ displayName: 'Legacy Alice' });
    await vault.destroy('u1');
    expect((await store.readStream('user-u1'))[0]?.data).toMatchObject({ displayName: null });
  });

  it('does not open a sealed value moved to another user or another field', async () => {
    await store.append('user-u1', [envelope(registered('u1', 'Alice'))], 'any');
    await store.append('user-u2', [envelope(registered('u2', 'Bob'))], 'any');
    const sealedAlice = (await rawData('user-u1'))[0]?.['displayName'];
    await raw.append('user-u2', [{ ...envelope(status('u2', null)), data: { ...status('u2', null).data, message: sealedAlice } }], 'any');
    await raw.append('user-u1', [{ ...envelope(status('u1', null)), data: { ...status('u1', null).data, message: sealedAlice } }], 'any');
    const u2 = await store.readStream('user-u2');
    const u1 = await store.readStream('user-u1');
    expect(u2[1]?.data).toMatchObject({ message: null });
    expect(u1[1]?.data).toMatchObject({ message: null });
    expect(warnings).toHaveLength(2);
  });

  it('reads sealed fields without a key (a log imported without its keys) as null', async () => {
    await store.append('user-u1', [envelope(registered('u1', 'Alice'))], 'any');
    const elsewhere = new PersonalDataEventStore(raw, new PersonalDataVault(new MemoryKeyStore(), randomBytes(32)));
    expect((await elsewhere.readStream('user-u1'))[0]?.data).toMatchObject({ displayName: null });
  });

  it('reads the log with the same keys from another process (the key store is shared)', async () => {
    await store.append('user-u1', [envelope(registered('u1', 'Alice'))], 'any');
    const other = new PersonalDataEventStore(raw, new PersonalDataVault(keys, master));
    expect((await other.readStream('user-u1'))[0]?.data).toMatchObject({ displayName: 'Alice' });
  });

  it("answers an append with the store's own revision and position, without opening what it wrote", async () => {
    const opened: number[] = [];
    const open = store.open.bind(store);
    store.open = async (events) => {
      opened.push(events.length);
      return open(events);
    };
    const result = await store.append('user-u1', [envelope(registered('u1', 'Alice'))], 'any');
    const position = (await raw.readStream('user-u1'))[0]?.position;
    expect(result).toEqual({ nextRevision: 0, position, positions: [position] });
    expect(opened).toEqual([]);
  });
});
