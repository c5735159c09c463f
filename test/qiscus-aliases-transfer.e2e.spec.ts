import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');
const QISCUS = { QISCUS_APP_ID: 'parley-transfer', QISCUS_SDK_SECRET: 'qiscus-secret-0123456789abcdef' };
const KEY = 'qiscus user key 0123';

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** What the Qiscus surfaces show of one room: its integer id, and its comments' ids, in order. */
interface Seen {
  readonly roomId: number;
  readonly lastCommentId: number;
  readonly sdkComments: readonly { id: number; comment_before_id: number; message: string; unique_temp_id: string }[];
  readonly sdkBeforeLast: readonly number[];
  readonly restComments: readonly { id: number; comment_before_id: number; message: string }[];
  readonly restLastCommentId: number;
}

async function look(parley: ParleyHarness, alice: string, roomId: number): Promise<Seen> {
  const signIn = await parley.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', QISCUS.QISCUS_APP_ID).type('form').send({ email: alice, password: KEY, username: 'Alice' }).expect(200);
  const sdk = { 'QISCUS-SDK-APP-ID': QISCUS.QISCUS_APP_ID, 'QISCUS-SDK-TOKEN': signIn.body.results.user.token as string };
  const room = await parley.http().get(`/api/v2/sdk/get_room_by_id?id=${roomId}`).set(sdk).expect(200);
  const comments = room.body.results.comments.filter((c: { type: string }) => c.type === 'text');
  const last = room.body.results.room.last_comment_id as number;
  const before = await parley.http().get(`/api/v2/sdk/load_comments?topic_id=${roomId}&last_comment_id=${last}&limit=20`).set(sdk).expect(200);
  const rest = await parley.http().post('/api/v2/rest/load_comments').set('QISCUS_SDK_SECRET', QISCUS.QISCUS_SDK_SECRET).send({ room_id: roomId, limit: 20 }).expect(200);
  const info = await parley.http().post('/api/v2/rest/get_rooms_info').set('QISCUS_SDK_SECRET', QISCUS.QISCUS_SDK_SECRET).send({ room_id: [String(roomId)], user_email: alice }).expect(200);
  return {
    roomId: room.body.results.room.id,
    lastCommentId: last,
    sdkComments: comments.map((c: Seen['sdkComments'][number]) => ({ id: c.id, comment_before_id: c.comment_before_id, message: c.message, unique_temp_id: c.unique_temp_id })),
    sdkBeforeLast: before.body.results.comments.map((c: { id: number }) => c.id),
    restComments: rest.body.results.comments
      .filter((c: { type?: string }) => c.type === undefined)
      .map((c: Seen['restComments'][number]) => ({ id: c.id, comment_before_id: c.comment_before_id, message: c.message })),
    restLastCommentId: info.body.results.rooms_info[0].last_comment_id,
  };
}

describe('integer aliases survive export → import → rebuild and resolve on the Qiscus surfaces', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-qiscus-transfer-'));
  const source = join(work, 'source');
  const restored = join(work, 'restored');
  const exported = join(work, 'export.ndjson');
  const alice = `alice.${Date.now().toString(36)}@example.com`;
  const bob = `bob.${Date.now().toString(36)}@example.com`;
  let roomId: number;
  let before: Seen;

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const parley = await ParleyHarness.start(QISCUS, source);
    try {
      const tokens: string[] = [];
      for (const [email, name] of [[alice, 'Alice'], [bob, 'Bob']]) {
        const res = await parley.http().post('/api/v2/sdk/login_or_register').set('QISCUS-SDK-APP-ID', QISCUS.QISCUS_APP_ID).type('form').send({ email, password: KEY, username: name }).expect(200);
        tokens.push(res.body.results.user.token);
      }
      const as = (i: number) => ({ 'QISCUS-SDK-APP-ID': QISCUS.QISCUS_APP_ID, 'QISCUS-SDK-TOKEN': tokens[i]! });
      const room = await parley.http().post('/api/v2/sdk/create_room').set(as(0)).type('form').send(`name=Archive&participants%5B%5D%5B0%5D=${encodeURIComponent(bob)}`).expect(200);
      roomId = room.body.results.room.id;
      for (let i = 0; i < 5; i++) {
        await parley.http().post('/api/v2/sdk/post_comment').set(as(i % 2)).send({ comment: `line ${i}`, topic_id: String(roomId), unique_temp_id: `key-${i}` }).expect(200);
      }
      // A server's post through the REST surface, between them.
      await parley.http().post('/api/v2/rest/post_comment').set('QISCUS_SDK_SECRET', QISCUS.QISCUS_SDK_SECRET).send({ sender_email: bob, room_id: roomId, message: 'from the server' }).expect(200);
      before = await look(parley, alice, roomId);
    } finally {
      await parley.stop();
    }
  }, 180_000);

  it('answers the same room id, comment ids and comment_before_id chain after the move and a rebuild', async () => {
    expect(before.sdkComments).toHaveLength(6);
    expect(cli(source, 'export', '--out', exported).status).toBe(0);
    // A restore is the log, the key store and the master key (decision 0008).
    mkdirSync(restored, { recursive: true });
    copyFileSync(join(source, 'personal-data-key'), join(restored, 'personal-data-key'));
    const keysFile = join(work, 'keys.ndjson');
    expect(cli(source, 'personal-data-keys', 'export', '--out', keysFile).status).toBe(0);
    expect(cli(restored, 'personal-data-keys', 'import', keysFile).status).toBe(0);
    const imported = cli(restored, 'import', exported);
    expect(imported.status).toBe(0);
    const rebuilt = cli(restored, 'rebuild');
    expect(rebuilt.status).toBe(0);

    const parley = await ParleyHarness.start(QISCUS, restored);
    try {
      const after = await look(parley, alice, roomId);
      expect(after).toEqual(before);
      expect(after.roomId).toBe(roomId);
      // The ids still order and chain: each comment names the one before it.
      const ids = [...after.sdkComments].reverse().map((c) => c.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      [...after.sdkComments].reverse().forEach((c, i, all) => {
        if (i > 0) expect(c.comment_before_id).toBe(all[i - 1]!.id);
      });
    } finally {
      await parley.stop();
    }
  }, 240_000);
});
