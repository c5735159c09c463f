import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RAW_EVENT_STORE, READ_STORE } from '../apps/api/infrastructure/tokens';
import type { EventStore } from '../libs/event-store/event-store.port';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { exportLog, fileLines, importLog } from '../libs/streaming/log-transfer';
import { PositionMap } from '../libs/streaming/position-map';
import { HttpStatusError, SseClient, type FeedEnvelope } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { WebhookReceiver } from './support/webhook-receiver';

/*
 * A feed client, a backup job reading GET /v1/admin/events and a webhook
 * receiver each hold a position of the log Parley ran on before a move to a
 * store with positions of its own (memory:packed stands in for EventStoreDB).
 * Once, after the move, each hands that old position back as
 * fromPreviousLog and goes on with exactly what it had not seen, in the new
 * log's positions.
 */

const API_KEY = 'an-operator-key-of-at-least-32-characters-moves';
const admin = { 'X-Api-Key': API_KEY };
const secrets = {
  JWT_SECRET: 'a-test-secret-that-is-long-enough-for-parley-moves',
  PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
};

interface ExportLine {
  readonly kind?: string;
  readonly position?: string;
  readonly type?: string;
  readonly data?: { readonly text?: string };
}

describe('positions of the previous log, handed back once after a move (embedded -> memory:packed)', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-previous-log-'));
  const source = join(work, 'source');
  const exported = join(work, 'export.ndjson');
  /** Old positions of the comments "one", "two", "three", and of the last event the export carried. */
  const old: Record<string, string> = {};
  let lastOld: bigint;
  let target: ParleyHarness;
  let base: string;
  let alice: TestUser;
  /** The comments' positions in the new log, by text. */
  const moved: Record<string, string> = {};
  const receivers: WebhookReceiver[] = [];
  const open: SseClient[] = [];

  const exportLines = async (query: string): Promise<ExportLine[]> => {
    const res = await target.http().get(`/v1/admin/events?${query}`).set(admin).buffer(true).parse((r, done) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('end', () => done(null, text));
    });
    expect(res.status).toBe(200);
    return (res.body as string).trim().split('\n').map((line) => JSON.parse(line) as ExportLine);
  };
  const comments = (lines: readonly ExportLine[]) => lines.filter((line) => line.type === 'CommentPosted').map((line) => line.data?.text);

  beforeAll(async () => {
    const parley = await ParleyHarness.start(secrets, source);
    try {
      const author = await parley.user('alice', 'Alice');
      const room = (await parley.http().post('/v1/rooms').set(author.auth).send({ name: 'Moving', participants: [] }).expect(201)).body.id as string;
      for (const text of ['one', 'two', 'three']) {
        old[text] = (await parley.http().post(`/v1/rooms/${room}/comments`).set(author.auth).send({ text }).expect(201)).body.position as string;
      }
      await parley.settled();
    } finally {
      await parley.stop();
    }
    const sqlite = new SqliteEventStore({ file: join(source, 'events.db') });
    try {
      lastOld = (await sqlite.headPosition()) ?? 0n;
      await pipeline(Readable.from(exportLog(sqlite)), createWriteStream(exported));
    } finally {
      await sqlite.close();
    }
    target = await ParleyHarness.start({
      ...secrets,
      ADMIN_API_KEY: API_KEY,
      EVENT_STORE_URL: 'memory:packed',
      READ_STORE_URL: 'memory:',
      KEY_STORE_URL: `sqlite:${join(source, 'keys.db')}`,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_BASE_MS: '20',
    });
    const result = await importLog(target.app.get<EventStore>(RAW_EVENT_STORE), () => fileLines(exported), {
      positionMap: new PositionMap(target.app.get<ReadStore>(READ_STORE)),
    });
    expect(result.verify.ok).toBe(true);
    await target.settled();
    base = await target.listen();
    alice = await target.user('alice-after', 'Alice after');
    for (const line of await exportLines('types=CommentPosted')) if (line.data?.text && line.position) moved[line.data.text] = line.position;
    expect(Object.keys(moved).sort()).toEqual(['one', 'three', 'two']);
  }, 180_000);

  afterAll(async () => {
    for (const client of open) client.close();
    await Promise.all(receivers.map((r) => r.close()));
    await target?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('exports the log after an old position: exactly the events the backup had not read, in new positions', async () => {
    const lines = await exportLines(`fromPreviousLog=${old['one']}&types=CommentPosted`);
    expect(comments(lines)).toEqual(['two', 'three']);
    expect(lines.filter((line) => line.type === 'CommentPosted').map((line) => line.position)).toEqual([moved['two'], moved['three']]);
    // After the last imported event: nothing of the old log is left to read.
    expect(comments(await exportLines(`fromPreviousLog=${lastOld}&types=CommentPosted`))).toEqual([]);
  });

  it('resumes a feed after an old position, then goes on in the new log', async () => {
    const room = (await target.http().post('/v1/rooms').set(alice.auth).send({ name: 'After', participants: [] }).expect(201)).body.id as string;
    const client = await SseClient.connect(base, alice.token, { query: `fromPreviousLog=${old['two']}` });
    open.push(client);
    const posted = (await target.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'four' }).expect(201)).body.position as string;
    await client.waitForPosition(posted);
    const seen = client.events.filter((e) => e.event === 'CommentPosted').map((e) => JSON.parse(e.data) as FeedEnvelope);
    // Alice after the move sees her own room; the old room's comments are not hers. What she gets starts past old "two".
    expect(seen.map((e) => e.data['text'])).toEqual(['four']);
    const ids = client.events.map((e) => e.id).filter((id): id is string => id !== null);
    expect(ids.every((id) => BigInt(id) > BigInt(moved['two']!))).toBe(true);
  });

  it('replays a webhook from an old position, that event included', async () => {
    const hook = await WebhookReceiver.start();
    receivers.push(hook);
    const registered = await target.http().post('/v1/admin/webhooks').set(admin).send({ url: hook.url, events: ['CommentPosted'], secret: 'whsec-0123456789abcdef' }).expect(201);
    const id = registered.body.id as string;
    const replay = await target.http().post(`/v1/admin/webhooks/${id}/replay`).set(admin).send({ fromPreviousLog: old['two'] }).expect(200);
    expect(replay.body.from).toBe(moved['two']);
    await hook.waitFor((r) => r.accepted.length >= 2, 'the replayed deliveries of two and three');
    expect(hook.accepted.slice(0, 2).map((r) => r.position)).toEqual([moved['two'], moved['three']]);
  });

  it('refuses a position past the imported stretch, one that is not a position, and from with fromPreviousLog, naming the field', async () => {
    const beyond = (lastOld + 1000n).toString();
    const events = await target.http().get(`/v1/admin/events?fromPreviousLog=${beyond}`).set(admin).expect(400);
    expect(events.body).toMatchObject({ code: 'POSITION.BEYOND_PREVIOUS_LOG', details: [{ field: 'fromPreviousLog' }] });
    const both = await target.http().get(`/v1/admin/events?fromPreviousLog=${old['one']}&from=${moved['one']}`).set(admin).expect(400);
    expect(both.body).toMatchObject({ code: 'EVENTS.FROM_CONFLICT', details: [{ field: 'fromPreviousLog' }] });

    const feed = async (query: string) => {
      const error = await SseClient.connect(base, alice.token, { query }).then(
        (client) => {
          open.push(client);
          return null;
        },
        (e: unknown) => e as HttpStatusError,
      );
      expect(error).toBeInstanceOf(HttpStatusError);
      return JSON.parse(error!.body) as Record<string, unknown>;
    };
    expect(await feed('fromPreviousLog=twelve')).toMatchObject({ code: 'POSITION.PREVIOUS_LOG_INVALID', details: [{ field: 'fromPreviousLog' }] });
    expect(await feed(`fromPreviousLog=${beyond}`)).toMatchObject({ code: 'POSITION.BEYOND_PREVIOUS_LOG' });
    expect(await feed(`fromPreviousLog=${old['one']}&from=${moved['one']}`)).toMatchObject({ code: 'FEED.FROM_CONFLICT' });

    const hook = await target.http().post('/v1/admin/webhooks').set(admin).send({ url: 'http://127.0.0.1:9/hook', events: ['CommentPosted'], secret: 'whsec-0123456789abcdef' }).expect(201);
    const replay = (body: object) => target.http().post(`/v1/admin/webhooks/${hook.body.id as string}/replay`).set(admin).send(body).expect(400);
    expect((await replay({ fromPreviousLog: beyond })).body).toMatchObject({ code: 'POSITION.BEYOND_PREVIOUS_LOG' });
    expect((await replay({ fromPreviousLog: old['one'], from: moved['one'] })).body).toMatchObject({ code: 'WEBHOOK.REPLAY_CONFLICT' });
    const missing = (await replay({})).body as { details: { field: string; reason: string }[] };
    expect(missing.details).toContainEqual({ field: 'from', reason: 'from is required (a position as a decimal string) unless fromPreviousLog is sent' });
  });

  it('refuses fromPreviousLog on a log that was never moved', async () => {
    const fresh = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    try {
      const res = await fresh.http().get('/v1/admin/events?fromPreviousLog=1').set(admin).expect(400);
      expect(res.body).toMatchObject({ code: 'POSITION.NO_PREVIOUS_LOG', details: [{ field: 'fromPreviousLog' }] });
    } finally {
      await fresh.stop();
    }
  });
});
