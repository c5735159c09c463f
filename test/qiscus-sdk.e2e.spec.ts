import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ParleyHarness } from './support/parley-app';

const APP_ID = 'parley-sdk-test';
const SECRET = 'qiscus-secret-0123456789abcdef';
const run = promisify(execFile);
/** What the SDK flow printed: parsed JSON, shaped by qiscus-sdk-core. */
type FlowResults = ReturnType<typeof JSON.parse>;

/** A local port nothing listens on: the SDK's MQTT URL (Parley runs no broker). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs qiscus-sdk-core (unmodified) in a plain Node process against this Parley; answers what it printed. */
async function sdkFlow(base: string, alice: string, bob: string): Promise<FlowResults> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'support', 'qiscus-sdk-flow.js')], {
    env: { ...process.env, PARLEY_URL: base, APP_ID, MQTT_URL: `wss://127.0.0.1:${await closedPort()}/mqtt`, ALICE: alice, BOB: bob },
    timeout: 240_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  if (!result.ok) throw new Error(`qiscus-sdk-core failed: ${result.error} (HTTP ${result.status}: ${result.body})`);
  return result.out;
}

describe('the Qiscus client SDK (qiscus-sdk-core, unmodified) against Parley', () => {
  let parley: ParleyHarness;
  let out: FlowResults;
  const suffix = Date.now().toString(36);
  const alice = `alice.${suffix}@example.com`;
  const bob = `bob.${suffix}@example.com`;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ QISCUS_APP_ID: APP_ID, QISCUS_SDK_SECRET: SECRET, QISCUS_SYNC_INTERVAL_MS: '200' });
    out = await sdkFlow(await parley.listen(), alice, bob);
  }, 300_000);
  afterAll(async () => {
    await parley.stop();
  });

  it('reads the app config (no realtime, HTTP sync) and signs both users in by email', () => {
    expect(out.config).toEqual({ enableRealtime: false, syncInterval: 200, enableSyncEvent: true });
    expect(out.login.alice).toMatchObject({ email: alice, username: 'Alice', token: expect.any(String), refresh_token: expect.any(String) });
    expect(out.login.bob).toMatchObject({ email: bob, username: 'Bob' });
    expect(Number.isSafeInteger(out.login.alice.id)).toBe(true);
  });

  it('creates a group room and a single room (the same one again), and opens the group by id', () => {
    expect(out.group).toMatchObject({ name: 'Team', participants: [alice, bob].sort() });
    expect(Number.isSafeInteger(out.group.id)).toBe(true);
    expect(out.single).toMatchObject({ room_type: 'single', participants: [alice, bob].sort() });
    expect(out.singleAgain).toBe(out.single.id);
    expect(out.bobGroup).toMatchObject({ id: out.group.id, name: 'Team', room_type: 'group', participants: [alice, bob].sort() });
  });

  it('sends comments with increasing integer ids, chained by comment_before_id, and each receives the other’s through sync polling', () => {
    const [first, second] = out.sent;
    expect(first).toMatchObject({ message: 'hello bob', email: alice, room_id: out.group.id, unique_id: 'alice-key-1' });
    expect(second).toMatchObject({ message: 'hi alice', email: bob, room_id: out.group.id, before_id: first.id });
    expect(second.id).toBeGreaterThan(first.id);
    expect(out.bobReceived).toMatchObject({ id: first.id, message: 'hello bob', email: alice, room_id: out.group.id });
    expect(out.aliceReceived).toMatchObject({ id: second.id, message: 'hi alice', email: bob });
    // The room Bob had open took the comment in once, in order.
    const texts = out.bobRoomAfterSync.map((c: { message: string }) => c.message);
    expect(texts.filter((t: string) => t === 'hello bob')).toHaveLength(1);
    expect(texts.indexOf('hello bob')).toBeLessThan(texts.indexOf('hi alice'));
  });

  it('loads comments, and those before a comment (the SDK turns the newest-first answer around for the open room)', () => {
    const messages = out.loaded.map((c: { message: string }) => c.message);
    expect(messages.slice(-2)).toEqual(['hello bob', 'hi alice']);
    // The room's own system items come first: its creation and Bob's addition.
    expect(messages[0]).toBe('Alice created room "Team"');
    expect(out.loadedBefore.map((c: { message: string }) => c.message).pop()).toBe('hello bob');
    expect(out.loadedBefore.every((c: { id: number }) => c.id < out.sent[1].id)).toBe(true);
  });

  it('moves unread counts and read markers: one unread until the room is opened', () => {
    expect(out.unreadBefore).toBe(1);
    expect(out.unreadAfter).toBe('zero');
  });

  it('lists the rooms with their last comments', () => {
    const byId = new Map(out.aliceRooms.map((r: { id: number }) => [r.id, r]));
    expect(byId.get(out.group.id)).toMatchObject({ name: 'Team', room_type: 'group', last_comment_message: 'hi alice' });
    expect(byId.get(out.single.id)).toMatchObject({ room_type: 'single', last_comment_message: 'psst' });
    expect(out.bobRooms.map((r: { id: number }) => r.id).sort()).toEqual([out.group.id, out.single.id].sort());
  });

  it('deletes a comment: the other learns of it through sync_event, and it is gone from the room', () => {
    expect(out.bobDeleted).toMatchObject({ roomId: String(out.group.id), commentUniqueIds: ['alice-key-1'], isHard: true });
    expect(out.afterDelete.map((c: { message: string }) => c.message)).not.toContain('hello bob');
    expect(out.profile).toMatchObject({ email: bob, username: 'Bob' });
  });

  it("clears a room's history for the caller alone (clear_room_messages): their SDK learns it through sync_event, loads nothing from before, and the other keeps theirs", () => {
    expect(out.clearAnswer).toMatchObject({ status: 200, results: { rooms: [{ id: out.group.id, unique_id: out.groupUniqueId }] } });
    expect(out.bobCleared).toMatchObject({ id: out.group.id, unique_id: out.groupUniqueId, room_name: 'Team' });
    expect(out.bobAfterClear).toEqual([]);
    expect(out.aliceAfterClear.map((c: { message: string }) => c.message)).toContain('hi alice');
    expect(out.bobAfterNew.map((c: { message: string }) => c.message)).toEqual(['after the clearing']);
  });

  it('read receipts: Bob reads, Alice’s SDK learns it through sync_event, and her comment’s status turns read', () => {
    expect(out.statusBeforeRead).toBe('sent');
    expect(out.aliceLearnedRead).toEqual({ message: 'read me', userId: bob });
    expect(out.selectedStatus).toBe('read');
    expect(out.statusAfterRead).toBe('read');
  });

  it('lands as ordinary Parley events: the SDK token is a Parley sign-in, the rooms and comments are Parley’s', async () => {
    await parley.settled();
    const auth = { Authorization: `Bearer ${out.login.alice.token}` };
    const me = await parley.http().get('/v1/me').set(auth).expect(200);
    expect(me.body.displayName).toBe('Alice');
    const rooms = await parley.http().get('/v1/rooms').set(auth).expect(200);
    const group = rooms.body.items.find((r: { name: string; kind: string }) => r.kind === 'group' && r.name === 'Team');
    expect(group).toBeDefined();
    expect(rooms.body.items.some((r: { kind: string }) => r.kind === 'direct')).toBe(true);
    const comments = await parley.http().get(`/v1/rooms/${group.id}/comments?limit=50`).set(auth).expect(200);
    const posted = comments.body.items.filter((i: { kind: string }) => i.kind === 'comment');
    expect(posted.map((c: { text: string | null; deleted: boolean }) => [c.text, c.deleted])).toEqual([
      [null, true],
      ['hi alice', false],
      ['after the clearing', false],
      ['read me', false],
    ]);
    // The Qiscus ids are the comments' log positions.
    expect(posted.slice(0, 2).map((c: { position: string }) => Number(c.position))).toEqual(out.sent.map((c: { id: number }) => c.id));
    expect(posted[0].clientId).toBe('alice-key-1');
    // Bob cleared the group for himself: through Parley's own API too, he sees only what came after.
    const bobs = await parley.http().get(`/v1/rooms/${group.id}/comments?limit=50`).set({ Authorization: `Bearer ${out.login.bob.token}` }).expect(200);
    expect(bobs.body.items.filter((i: { kind: string }) => i.kind === 'comment').map((c: { text: string }) => c.text)).toEqual(['after the clearing', 'read me']);
  });
});
