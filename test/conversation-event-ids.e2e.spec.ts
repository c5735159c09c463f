import { EVENT_STORE, RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { RoomStates } from '../apps/api/rooms/room-states';
import type { EventStore } from '../libs/event-store/event-store.port';
import { applicationFixture, applicationToken } from './support/application-tokens';

const API_KEY = 'pk_event_ids_e2e_0123456789abcdef0123456789abcd';

type Json = Record<string, unknown>;

/**
 * A Vonage send answers its event id at write time (the comment's seq plus
 * the room's system items before it), without waiting for the timeline's
 * projection. These ids must be the ones the timeline then lists, even when
 * membership changes and renames race the sends: the write side and the
 * projection count items by one rule (libs/domain/rooms/timeline-items.ts).
 */
describe('event ids answered by a send are the timeline’s', () => {
  const fixture = applicationFixture(API_KEY, 'Event ids');

  async function call(method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
    const response = await fetch(path.startsWith('http') ? path : `${fixture.base}/vonage${path}`, {
      method,
      headers: { Authorization: `Bearer ${applicationToken(fixture.appId, fixture.privateKey)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
  }

  async function ok(method: string, path: string, body?: Json): Promise<Json> {
    const answer = await call(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async function allEvents(conversationId: string): Promise<Json[]> {
    const events: Json[] = [];
    let next: string | undefined = `/v1/conversations/${conversationId}/events?page_size=100`;
    while (next !== undefined) {
      const page = await ok('GET', next);
      events.push(...(page['_embedded'] as Json[]));
      next = ((page['_links'] as Json)['next'] as { href: string } | undefined)?.href;
    }
    return events;
  }

  it('gives each sent message the id it lists under, with member changes and renames in flight', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => ok('POST', '/v1/users', { name: `ids-${i}` })));
    const conversation = await ok('POST', '/v1/conversations', { name: 'ids', display_name: 'Event ids' });
    const conversationId = conversation['id'] as string;
    const member = async (userIndex: number, state: 'joined' | 'invited') =>
      (await ok('POST', `/v1/conversations/${conversationId}/members`, { user: { id: users[userIndex]!['id'] }, state }))['id'] as string;
    const senders = [await member(0, 'joined'), await member(1, 'joined')];

    // Eight clients send ten messages each, one after another, so the room takes many turns of comments...
    const send = (n: number) => ok('POST', `/v1/conversations/${conversationId}/events`, { type: 'message', from: senders[n % 2], body: { message_type: 'text', text: `message ${n}` } });
    const clients = Array.from({ length: 8 }, async (_, client) => {
      const sent: Json[] = [];
      for (let i = 0; i < 10; i++) sent.push(await send(client * 10 + i));
      return sent;
    });
    // ...while two administrators change the room, one change after another, between those turns.
    const rename = (name: string) => ok('PUT', `/v1/conversations/${conversationId}`, { display_name: name });
    const administrators = [
      (async () => {
        await member(2, 'joined');
        await member(3, 'invited');
        const leaving = await member(4, 'joined');
        await ok('PATCH', `/v1/conversations/${conversationId}/members/${leaving}`, { state: 'left' });
        await member(5, 'joined');
      })(),
      (async () => {
        for (let i = 0; i < 6; i++) await rename(`Renamed ${i}`);
        await member(6, 'invited');
        await member(7, 'joined');
      })(),
    ];
    const [answered] = await Promise.all([Promise.all(clients).then((all) => all.flat()), Promise.all(administrators)]);

    const listed = await allEvents(conversationId);
    // Dense and increasing from 1: nothing skipped, nothing counted twice.
    expect(listed.map((event) => event['id'])).toEqual(listed.map((_, i) => i + 1));
    const byText = new Map(listed.filter((event) => event['type'] === 'message').map((event) => [(event['body'] as Json)['text'], event['id']]));
    expect(byText.size).toBe(80);
    for (const sent of answered) {
      expect(typeof sent['id']).toBe('number');
      expect({ text: (sent['body'] as Json)['text'], id: sent['id'] }).toEqual({ text: (sent['body'] as Json)['text'], id: byText.get((sent['body'] as Json)['text']) });
    }
    // The system items the changes made are among them, so the ids really had to count them.
    expect(listed.length).toBeGreaterThan(80 + 12);
    // And each answered event reads back as itself by its id.
    const one = answered[17]!;
    const read = await ok('GET', `/v1/conversations/${conversationId}/events/${one['id'] as number}`);
    expect(read).toMatchObject({ id: one['id'], type: 'message', body: { text: 'message 17' } });
  });

  it('counts a room event the log holds between the send’s decision and its append', async () => {
    const user = await ok('POST', '/v1/users', { name: 'race' });
    const conversationId = (await ok('POST', '/v1/conversations', { name: 'race', display_name: 'Race' }))['id'] as string;
    const sender = (await ok('POST', `/v1/conversations/${conversationId}/members`, { user: { id: user['id'] }, state: 'joined' }))['id'] as string;
    await ok('POST', `/v1/conversations/${conversationId}/events`, { type: 'message', from: sender, body: { message_type: 'text', text: 'before' } });

    // The next comment append waits until a rename has been appended: the send decided on the room before the rename.
    const store = fixture.parley.app.get<EventStore>(RAW_EVENT_STORE);
    const original = store.append.bind(store);
    let held = false;
    const spy = jest.spyOn(store, 'append').mockImplementation(async (streamId, events, expected) => {
      if (!held && streamId.startsWith('comments-')) {
        held = true;
        await ok('PUT', `/v1/conversations/${conversationId}`, { display_name: 'Renamed mid-send' });
      }
      return original(streamId, events, expected);
    });
    let sent: Json;
    try {
      sent = await ok('POST', `/v1/conversations/${conversationId}/events`, { type: 'message', from: sender, body: { message_type: 'text', text: 'after the rename' } });
    } finally {
      spy.mockRestore();
    }
    expect(held).toBe(true);

    const listed = await allEvents(conversationId);
    const renamedAt = listed.findIndex((event) => event['type'] === 'conversation:updated');
    expect(renamedAt).toBeGreaterThan(0);
    const message = listed.find((event) => (event['body'] as Json | undefined)?.['text'] === 'after the rename')!;
    expect(listed.indexOf(message)).toBeGreaterThan(renamedAt);
    expect(sent['id']).toBe(message['id']);
    expect(message['id']).toBe(listed.length);
  });

  it('answers a send whose room read fails after its append with the id the timeline gives it, never a failure', async () => {
    const user = await ok('POST', '/v1/users', { name: 'unlucky' });
    const conversationId = (await ok('POST', '/v1/conversations', { name: 'unlucky', display_name: 'Unlucky' }))['id'] as string;
    const sender = (await ok('POST', `/v1/conversations/${conversationId}/members`, { user: { id: user['id'] }, state: 'joined' }))['id'] as string;
    const store = fixture.parley.app.get<EventStore>(EVENT_STORE);
    const original = store.readStream.bind(store);
    // The live log usually tells that the room did not change, and nothing is read: here it cannot tell
    // (as when the log is not followed), so the room stream is read after the append.
    const unsure = jest.spyOn(fixture.parley.app.get(RoomStates), 'unchangedBetween').mockResolvedValue(null);
    let failed = 0;
    // The room-stream read a send makes after its append (from a revision, unbounded; cached states read in pages) fails once.
    const spy = jest.spyOn(store, 'readStream').mockImplementation(async (streamId, options) => {
      if (failed === 0 && streamId.startsWith('room-') && options?.fromRevision !== undefined && options.maxCount === undefined) {
        failed++;
        throw new Error('store unavailable for this read');
      }
      return original(streamId, options);
    });
    let sent: { status: number; body: Json };
    try {
      sent = await call('POST', `/v1/conversations/${conversationId}/events`, { type: 'message', from: sender, body: { message_type: 'text', text: 'written anyway' } });
    } finally {
      spy.mockRestore();
      unsure.mockRestore();
    }
    expect(failed).toBe(1);
    expect(sent.status).toBe(200);
    const listed = await allEvents(conversationId);
    const message = listed.find((event) => (event['body'] as Json | undefined)?.['text'] === 'written anyway')!;
    expect(sent.body['id']).toBe(message['id']);
  });
});
