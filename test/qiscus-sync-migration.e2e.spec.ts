import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RAW_EVENT_STORE, READ_STORE } from '../apps/api/infrastructure/tokens';
import type { EventStore } from '../libs/event-store/event-store.port';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { compareStreams } from '../libs/streaming/log-migration';
import { exportLog, fileLines, importLog } from '../libs/streaming/log-transfer';
import { PositionMap } from '../libs/streaming/position-map';
import { ParleyHarness } from './support/parley-app';
import { containersOrSkip, startEventStoreDb, startMongoReplicaSet } from './support/production-containers';
import { WebhookReceiver } from './support/webhook-receiver';

/*
 * The Qiscus SDK's sync cursor is a number of Parley's log. Moving the log
 * to a store with positions of its own (memory:packed stands in for
 * EventStoreDB) gives every event a new position; a client that synced
 * before the move keeps polling with its old cursor and must get exactly
 * what it had not seen, then go on after the move without a gap or a repeat.
 */

const APP_ID = 'parley-moving-sdk';
const ADMIN_KEY = 'an-operator-key-for-the-new-installation-0123';
const KEY = 'qiscus user key 0123';
const secrets = {
  JWT_SECRET: 'a-test-secret-that-is-long-enough-for-parley-moves',
  PERSONAL_DATA_KEY: Buffer.alloc(32, 5).toString('base64'),
  QISCUS_APP_ID: APP_ID,
  QISCUS_SDK_SECRET: 'qiscus-secret-0123456789abcdef',
};

interface SdkUser {
  readonly email: string;
  readonly token: string;
  readonly last_comment_id: number;
}

/** The stores a move goes into: their settings for the new installation, and how to take them down. */
interface TargetStores {
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const movingSuite = (targetStores: () => Promise<TargetStores>) => () => {
  let work: string;
  let source: string;
  let exported: string;
  let alice: SdkUser;
  let bob: SdkUser;
  let roomId: number;
  /** Bob's cursor from his last sync before the move: he has seen "one", not "two" and "three". */
  let cursorBefore: number;
  let target: ParleyHarness;
  let stores: TargetStores | undefined;
  /** The room's comments (newest first) as the SDK loaded them before the move: message -> integer id and comment_before_id. */
  let idsBefore: Record<string, { id: number; before: number }>;
  let profileBefore: number;

  const as = (user: SdkUser) => ({ 'QISCUS-SDK-APP-ID': APP_ID, 'QISCUS-SDK-TOKEN': user.token, 'QISCUS-SDK-PLATFORM': 'javascript' });
  const post = (parley: ParleyHarness, user: SdkUser, text: string) =>
    parley.http().post('/api/v2/sdk/post_comment').set(as(user)).send({ comment: text, topic_id: String(roomId), unique_temp_id: `javascript-${text}` }).expect(200);
  const commentIds = async (parley: ParleyHarness) => {
    const res = await parley.http().get(`/api/v2/sdk/load_comments?topic_id=${roomId}&limit=20`).set(as(bob)).expect(200);
    const comments = res.body.results.comments as { message: string; id: number; comment_before_id: number }[];
    return Object.fromEntries(comments.map((c) => [c.message, { id: c.id, before: c.comment_before_id }]));
  };
  const sync = async (parley: ParleyHarness, user: SdkUser, cursor: number) => {
    const res = await parley.http().get(`/api/v2/sdk/sync?last_received_comment_id=${cursor}`).set(as(user)).expect(200);
    return {
      messages: (res.body.results.comments as { message: string }[]).map((comment) => comment.message),
      cursor: res.body.results.meta.last_received_comment_id as number,
    };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'parley-qiscus-move-'));
    source = join(work, 'source');
    exported = join(work, 'export.ndjson');
    // No bootstrap key in the old log; the new installation writes its own before the import, so every moved event lands one place further on.
    const parley = await ParleyHarness.start({ ...secrets, ADMIN_API_KEY: 'an-operator-key-of-at-least-32-characters' }, source);
    try {
      const login = async (email: string, username: string): Promise<SdkUser> =>
        (await parley.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', APP_ID).type('form').send({ email, password: KEY, username, extras: '' }).expect(200))
          .body.results.user as SdkUser;
      alice = await login('alice.moves@example.com', 'Alice');
      bob = await login('bob.moves@example.com', 'Bob');
      const form = `name=Moving&participants%5B%5D%5B0%5D=${encodeURIComponent(bob.email)}&options=`;
      roomId = (await parley.http().post('/api/v2/sdk/create_room').set(as(alice)).type('form').send(form).expect(200)).body.results.room.id;
      await post(parley, alice, 'one');
      const first = await sync(parley, bob, bob.last_comment_id);
      expect(first.messages).toEqual(['one']);
      cursorBefore = first.cursor;
      await post(parley, alice, 'two');
      await post(parley, alice, 'three');
      idsBefore = await commentIds(parley);
      profileBefore = (await parley.http().get('/api/v2/sdk/my_profile').set(as(bob)).expect(200)).body.results.user.id as number;
    } finally {
      await parley.stop();
    }
    const sqlite = new SqliteEventStore({ file: join(source, 'events.db') });
    try {
      await pipeline(Readable.from(exportLog(sqlite)), createWriteStream(exported));
    } finally {
      await sqlite.close();
    }
    // The production installation: its own positions, the same secrets, the personal-data keys moved with the log.
    stores = await targetStores();
    target = await ParleyHarness.start({
      ...secrets,
      ADMIN_API_KEY: ADMIN_KEY,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      ...stores.env,
      KEY_STORE_URL: `sqlite:${join(source, 'keys.db')}`,
    });
    const log = target.app.get<EventStore>(RAW_EVENT_STORE);
    const moved = await importLog(log, () => fileLines(exported), {
      positionMap: new PositionMap(target.app.get<ReadStore>(READ_STORE)),
    });
    expect(moved.verify.ok).toBe(true);
    expect(await compareStreams(log, moved.moved!)).toEqual([]);
    await target.settled();
  }, 180_000);

  afterAll(async () => {
    await target?.stop();
    await stores?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('keeps the integer ids of rooms, comments and users: a client’s local store stays valid', async () => {
    const rooms = await target.http().get('/api/v2/sdk/user_rooms?page=1&limit=10').set(as(alice)).expect(200);
    const moving = (rooms.body.results.rooms_info as { id: number; room_name: string }[]).find((room) => room.room_name === 'Moving');
    expect(moving?.id).toBe(roomId);
    expect(await commentIds(target)).toEqual(idsBefore);
    expect((await target.http().get('/api/v2/sdk/my_profile').set(as(bob)).expect(200)).body.results.user.id).toBe(profileBefore);
    // The server API finds the room by its old id too.
    const rest = await target.http().post('/api/v2/rest/load_comments').set('QISCUS_SDK_SECRET', secrets.QISCUS_SDK_SECRET).send({ room_id: roomId, limit: 3 }).expect(200);
    expect((rest.body.results.comments as { id: number }[]).map((c) => c.id)).toEqual(['three', 'two', 'one'].map((m) => idsBefore[m]!.id));
  });

  it('sends Qiscus webhooks of moved comments with the ids the client knows', async () => {
    const hook = await WebhookReceiver.start();
    try {
      const admin = { 'X-Api-Key': ADMIN_KEY };
      const registered = await target.http().post('/v1/admin/webhooks').set(admin).send({ url: hook.url, events: ['CommentPosted'], format: 'qiscus', secret: 'whsec-0123456789abcdef' }).expect(201);
      await target.http().post(`/v1/admin/webhooks/${registered.body.id as string}/replay`).set(admin).send({ fromPreviousLog: '1' }).expect(200);
      await hook.waitFor((r) => r.accepted.length >= 3, 'the three moved comments');
      const messages = hook.accepted.slice(0, 3).map((r) => (JSON.parse(r.body) as { payload: { room: { id: number }; message: { id: number; text: string; comment_before_id: number } } }).payload);
      expect(messages.map((p) => ({ room: p.room.id, text: p.message.text, id: p.message.id, before: p.message.comment_before_id }))).toEqual(
        ['one', 'two', 'three'].map((text) => ({ room: roomId, text, id: idsBefore[text]!.id, before: idsBefore[text]!.before })),
      );
      await target.http().delete(`/v1/admin/webhooks/${registered.body.id as string}`).set(admin).expect(200);
    } finally {
      await hook.close();
    }
  });

  it('answers a cursor kept from before the move with exactly what the client had not seen, then goes on after the move', async () => {
    const caughtUp = await sync(target, bob, cursorBefore);
    expect(caughtUp.messages).toEqual(['two', 'three']);
    expect(caughtUp.cursor).toBeGreaterThan(cursorBefore);

    // Nothing new: the same cursor again, nothing repeated.
    const idle = await sync(target, bob, caughtUp.cursor);
    expect(idle.messages).toEqual([]);

    const four = (await post(target, alice, 'four')).body.results.comment as { id: number; comment_before_id: number };
    expect(four.comment_before_id).toBe(idsBefore['three']!.id);
    expect(four.id).toBeGreaterThan(idsBefore['three']!.id);
    const after = await sync(target, bob, idle.cursor);
    expect(after.messages).toEqual(['four']);
    expect(after.cursor).toBeGreaterThan(idle.cursor);
    expect((await sync(target, bob, after.cursor)).messages).toEqual([]);
  });

  it('starts a client signing in after the move, and its sync_event, at the head in the same space of numbers', async () => {
    const login = await target.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', APP_ID).type('form').send({ email: bob.email, password: KEY, username: 'Bob', extras: '' }).expect(200);
    const fresh = login.body.results.user as SdkUser;
    expect(fresh.last_comment_id).toBeGreaterThan(cursorBefore);
    await post(target, alice, 'five');
    expect((await sync(target, fresh, fresh.last_comment_id)).messages).toEqual(['five']);
    const start = await target.http().get('/api/v2/sdk/sync_event?start_event_id=0').set(as(fresh)).expect(200);
    const cursor = start.body.events.at(-1).id as number;
    const next = await target.http().get(`/api/v2/sdk/sync_event?start_event_id=${cursor}`).set(as(fresh)).expect(200);
    expect(next.body.events).toEqual([]);
  });
};

describe(
  'a Qiscus SDK client syncing across a move of the log (embedded -> memory:packed, positions in EventStoreDB form)',
  movingSuite(async () => ({ env: { EVENT_STORE_URL: 'memory:packed', READ_STORE_URL: 'memory:' }, stop: async () => undefined })),
);

(containersOrSkip('the move into EventStoreDB and MongoDB') ? describe : describe.skip)(
  'a Qiscus SDK client syncing across a move of the log (embedded -> EventStoreDB 24.10 and MongoDB 7, testcontainers)',
  movingSuite(async () => {
    const [esdb, mongo] = await Promise.all([startEventStoreDb(), startMongoReplicaSet()]);
    return {
      env: { EVENT_STORE_URL: esdb.url, READ_STORE_URL: mongo.url.replace('/?', '/parley_move?') },
      stop: async () => {
        await Promise.all([esdb.stop(), mongo.stop()]);
      },
    };
  }),
);
