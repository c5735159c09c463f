import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_VERSIONS, type CommentPosted } from '../libs/domain/events';
import { PAYLOAD_LIMITS } from '../libs/domain/json-limits';
import { streams } from '../libs/domain/streams';
import type { EventStore, StoredEvent } from '../libs/event-store/event-store.port';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { parleyProjections } from '../projections';
import { ParleyHarness, type TestUser } from './support/parley-app';

/** The payload that used to stop every read model: 1,000 levels, about 6 KB. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const head = async (parley: ParleyHarness): Promise<string | null> => (await parley.http().get('/health')).body.eventStore.head;

function cli(dataDir: string, ...args: string[]) {
  return spawnSync(
    process.execPath,
    ['-r', join(__dirname, 'support', 'ts-register.js'), join(__dirname, '..', 'apps', 'cli', 'main.ts'), ...args],
    { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' }, encoding: 'utf8', timeout: 120_000 },
  );
}

describe('a comment payload the read stores cannot hold never gets in', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    const bob = await parley.user('bob', 'Bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Payloads', participants: [bob.id] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('refuses the 1,000-level payload with 400 at the body parser (its depth limit), and writes nothing', async () => {
    const payload = nested(1_000);
    expect(JSON.stringify(payload).length).toBeGreaterThan(5_000);
    const before = await head(parley);
    const response = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'deep', type: 'custom', payload });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'REQUEST.TOO_DEEP' });
    expect(await head(parley)).toBe(before);
  });

  it('refuses a payload deeper than its own limit but within the body depth with 400 naming payload, and writes nothing', async () => {
    const payload = nested(PAYLOAD_LIMITS.maxDepth + 8);
    const before = await head(parley);
    const response = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'deep', type: 'custom', payload });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'REQUEST.VALIDATION_FAILED' });
    expect(response.body.details).toContainEqual({ field: 'payload', reason: `payload nests deeper than ${PAYLOAD_LIMITS.maxDepth} levels` });
    expect(await head(parley)).toBe(before);
  });

  it('accepts a payload at exactly the depth limit and serves it back through the timeline', async () => {
    const payload = { ...nested(PAYLOAD_LIMITS.maxDepth), list: Array.from({ length: 10 }, (_, i) => ({ i, s: 'ok' })) };
    const posted = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'deep enough', type: 'custom', payload }).expect(201);
    const page = await parley
      .http()
      .get(`/v1/rooms/${roomId}/comments?limit=1`)
      .set(alice.auth)
      .set('X-Min-Position', posted.body.position)
      .expect(200);
    expect(page.body.items[0]).toMatchObject({ id: posted.body.id, payload });
  });
});

describe('a projection that fails on an event stops alone', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-isolation-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  let alice: TestUser;
  let bob: TestUser;
  let poisonedRoom: string;
  let poison: Pick<StoredEvent, 'id' | 'position'>;

  /** Writes that feed rooms, memberships, users and unread counts, then reads each back with X-Min-Position. */
  async function healthyModelsKeepUpdating(parley: ParleyHarness, label: string): Promise<void> {
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: `After ${label}`, participants: [bob.id] }).expect(201);
    const comment = await parley.http().post(`/v1/rooms/${room.body.id}/comments`).set(alice.auth).send({ text: `hello ${label}` }).expect(201);
    const rooms = await parley.http().get('/v1/rooms?limit=100').set(bob.auth).set('X-Min-Position', comment.body.position).expect(200);
    expect(rooms.body.items.map((r: { id: string }) => r.id)).toContain(room.body.id);
    const unread = await parley.http().get('/v1/me/unread').set(bob.auth).set('X-Min-Position', comment.body.position).expect(200);
    expect(unread.body.rooms).toContainEqual({ roomId: room.body.id, unreadCount: 1 });
    const renamed = await parley.http().patch('/v1/me').set(bob.auth).send({ displayName: `Bob ${label}` }).expect(200);
    const me = await parley.http().get('/v1/me').set(bob.auth).set('X-Min-Position', renamed.body.position).expect(200);
    expect(me.body.displayName).toBe(`Bob ${label}`);
  }

  async function failedTimelineIsReported(parley: ParleyHarness): Promise<void> {
    await parley.settled();
    const health = await parley.http().get('/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('degraded');
    expect(health.body.failed).toEqual([
      expect.objectContaining({
        projection: 'timeline',
        position: poison.position.toString(),
        eventId: poison.id,
        eventType: 'CommentPosted',
        error: expect.stringMatching(/malformed JSON/),
      }),
    ]);
    const projections = health.body.readModels.projections as { name: string; state: string; checkpoint: string; eventsBehind: number }[];
    expect(projections.filter((p) => p.state === 'failed').map((p) => p.name)).toEqual(['timeline']);
    const timeline = projections.find((p) => p.name === 'timeline')!;
    expect(BigInt(timeline.checkpoint)).toBeLessThan(poison.position);
    expect(timeline.eventsBehind).toBeGreaterThan(0);
    for (const other of projections.filter((p) => p.name !== 'timeline')) expect(other.eventsBehind).toBe(0);
    // Existing fields stay: the head and what the running read models passed.
    expect(health.body.readModels.position).toBe(health.body.eventStore.head);

    // A query on the failed read model answers at once that it cannot catch up.
    const comments = await parley
      .http()
      .get(`/v1/rooms/${poisonedRoom}/comments`)
      .set(alice.auth)
      .set('X-Min-Position', poison.position.toString());
    expect(comments.status).toBe(503);
    expect(comments.body).toMatchObject({ statusCode: 503, code: 'READ_MODEL.FAILED' });
    expect(comments.body.details).toEqual([expect.objectContaining({ field: 'timeline' })]);
    // Without X-Min-Position it answers what the read model holds.
    await parley.http().get(`/v1/rooms/${poisonedRoom}/comments`).set(alice.auth).expect(200);
  }

  it('isolates a stored event its projection cannot hold; the rest of Parley goes on, across a restart', async () => {
    let parley = await ParleyHarness.start({}, dataDir);
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    poisonedRoom = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Poisoned', participants: [bob.id] }).expect(201)).body.id;
    const first = await parley.http().post(`/v1/rooms/${poisonedRoom}/comments`).set(alice.auth).send({ text: 'before' }).expect(201);

    // An event the edge refuses today, as an older Parley accepted it: straight into the log.
    const raw = parley.app.get<EventStore>(RAW_EVENT_STORE);
    const data: CommentPosted['data'] = {
      commentId: '0b8f1c52-8a51-4c7e-9c55-0f4a7c1d2e31',
      roomId: poisonedRoom,
      seq: 2,
      previousId: first.body.id,
      senderId: alice.id,
      text: 'deep',
      commentType: 'custom',
      payload: nested(1_000),
      replyTo: null,
      clientId: null,
      postedAt: new Date().toISOString(),
    };
    const appended = await raw.append(
      streams.comments(poisonedRoom),
      [{ id: data.commentId, type: 'CommentPosted', version: EVENT_VERSIONS.CommentPosted, data, metadata: { actor: alice.id } }],
      'any',
    );
    poison = { id: data.commentId, position: appended.position };

    await failedTimelineIsReported(parley);
    await healthyModelsKeepUpdating(parley, 'failure');
    // The rest of the timeline stops with it, but the room list still moves on.
    const later = await parley.http().post(`/v1/rooms/${poisonedRoom}/comments`).set(bob.auth).send({ text: 'later' }).expect(201);
    const rooms = await parley.http().get('/v1/rooms?limit=100').set(alice.auth).set('X-Min-Position', later.body.position).expect(200);
    expect(rooms.body.items.find((r: { id: string }) => r.id === poisonedRoom)).toMatchObject({ lastComment: expect.objectContaining({ text: 'later' }) });
    await parley.stop();

    // Started again: it tries the event once more, fails the same way, and everything else works.
    parley = await ParleyHarness.start({}, dataDir);
    await failedTimelineIsReported(parley);
    await healthyModelsKeepUpdating(parley, 'restart');
    await parley.stop();
  });

  it('cli rebuild names the failing event, exits non-zero and builds the other read models; cli status names it', async () => {
    const rebuild = cli(dataDir, 'rebuild');
    expect(rebuild.status).toBe(1);
    expect(rebuild.stdout).toContain(
      `FAILED: projection timeline stopped on event ${poison.id} (CommentPosted) at position ${poison.position.toString()}: `,
    );
    expect(rebuild.stdout).toMatch(/malformed JSON/);

    const status = cli(dataDir, 'status');
    expect(status.status).toBe(0);
    const lines = status.stdout.trim().split('\n');
    const logHead = /^log head: (\d+)$/.exec(lines[0]!)![1]!;
    for (const projection of parleyProjections) {
      const line = lines.find((l) => l.startsWith(`${projection.name}@v${projection.version}: `))!;
      if (projection.name === 'timeline') {
        expect(line).toMatch(new RegExp(`FAILED on event ${poison.id} \\(CommentPosted\\) at position ${poison.position.toString()}: .*malformed JSON`));
      } else {
        expect(line).toBe(`${projection.name}@v${projection.version}: ${logHead}`);
      }
    }

    // The rebuilt read models serve queries; the failed one is reported again.
    const parley = await ParleyHarness.start({}, dataDir);
    const rooms = await parley.http().get('/v1/rooms?limit=100').set(alice.auth).set('X-Min-Position', logHead).expect(200);
    expect(rooms.body.items.map((r: { id: string }) => r.id)).toContain(poisonedRoom);
    await parley.settled();
    const health = await parley.http().get('/health');
    expect(health.status).toBe(503);
    expect(health.body.failed.map((f: { projection: string }) => f.projection)).toEqual(['timeline']);
    await parley.stop();
  }, 300_000);
});
