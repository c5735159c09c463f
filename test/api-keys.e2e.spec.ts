import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_SCOPES, BOOTSTRAP_API_KEY_ID, type ApiKeyScope } from '../libs/domain/api-keys/api-key.decider';
import { mintApiKey } from '../libs/domain/api-keys/api-key-secret';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { ParleyHarness, type TestUser } from './support/parley-app';

const root = join(__dirname, '..');
const ADMIN_KEY = 'admin-key-0123456789-0123456789-abcdef';
const KEY_PATTERN = /pk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}/g;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error', ADMIN_API_KEY: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The event store's bytes on disk (database and write-ahead log), as text. */
function eventFiles(dataDir: string): string {
  return ['events.db', 'events.db-wal']
    .map((name) => join(dataDir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

/** Runs `start` while collecting what is written to stdout; answers both. */
async function capturingStdout<T>(start: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    return { result: await start(), printed };
  } finally {
    spy.mockRestore();
  }
}

/** The log's head read from the event store's file, as another process would. */
async function headOnDisk(dataDir: string): Promise<string | null> {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  try {
    return (await store.headPosition())?.toString() ?? null;
  } finally {
    await store.close();
  }
}

const head = async (parley: ParleyHarness): Promise<string | null> => (await parley.http().get('/health')).body.eventStore.head;

describe('server API keys', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;
  const admin = { 'X-Api-Key': ADMIN_KEY };

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY });
    alice = await parley.user('alice', 'Alice');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Audited', participants: [] }).expect(201)).body.id;
  });
  afterAll(async () => {
    await parley.stop();
  });

  const create = async (scopes: readonly string[], name = `key ${scopes.join(' ')}`, by: Record<string, string> = admin) => {
    const res = await parley.http().post('/v1/admin/api-keys').set(by).send({ name, scopes });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; name: string; scopes: string[]; position: string };
  };

  it('creates a key shown once, lists it without secrets, and stores only its hash', async () => {
    const res = await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: '  Billing sync ', scopes: ['admin:keys', 'admin:users', 'admin:keys'] });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ name: 'Billing sync', scopes: ['admin:users', 'admin:keys'] });
    const { id, key, position } = res.body as { id: string; key: string; position: string };
    expect(key).toMatch(new RegExp(`^pk_${id.replace(/-/g, '')}_[A-Za-z0-9_-]{43}$`));

    const list = await parley.http().get('/v1/admin/api-keys').set(admin).set('X-Min-Position', position).expect(200);
    const listed = (list.body.items as { id: string }[]).find((item) => item.id === id);
    expect(listed).toEqual({
      id,
      name: 'Billing sync',
      scopes: ['admin:users', 'admin:keys'],
      status: 'active',
      bootstrap: false,
      createdBy: 'apikey:admin',
      createdAt: expect.any(String),
      revokedBy: null,
      revokedAt: null,
    });
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(sha256(key));

    // In the log: the SHA-256 of the key, never the key; not in the store's files either.
    const stream = await parley.http().get(`/v1/admin/audit/streams/apikey-${id}`).set(admin).expect(200);
    expect(stream.body.events).toHaveLength(1);
    // Audit views show that a hash was stored, never the hash itself (promise 9).
    expect(stream.body.events[0]).toMatchObject({ type: 'ApiKeyCreated', data: { keyId: id, secretHash: '[redacted]', bootstrap: false }, metadata: { actor: 'apikey:admin' } });
    expect(stream.text).not.toContain(sha256(key));
    expect(stream.text).not.toContain(key);
    const secretPart = key.split('_').slice(2).join('_');
    const onDisk = eventFiles(parley.dataDir);
    expect(onDisk).toContain(sha256(key));
    expect(onDisk).not.toContain(secretPart);

    // The key works, with its scopes.
    await parley.http().get('/v1/admin/api-keys').set('X-Api-Key', key).expect(200);
  });

  it('refuses each bad key with its own code, and writes nothing', async () => {
    const good = await create(['admin:keys']);
    const before = await head(parley);
    const body = { name: 'never', scopes: ['admin:users'] };
    const post = (headers: Record<string, string>) => parley.http().post('/v1/admin/api-keys').set(headers).send(body);

    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ statusCode: 401, code: 'AUTH.API_KEY_MISSING' });
    const bearerOnly = await post(alice.auth);
    expect(bearerOnly.status).toBe(401);
    expect(bearerOnly.body.code).toBe('AUTH.API_KEY_MISSING');

    const malformed = await post({ 'X-Api-Key': 'x'.repeat(40) });
    expect(malformed.status).toBe(401);
    expect(malformed.body.code).toBe('AUTH.API_KEY_INVALID');
    const unknownId = await post({ 'X-Api-Key': mintApiKey('00000000-0000-4000-8000-000000000000').key });
    expect(unknownId.status).toBe(401);
    expect(unknownId.body.code).toBe('AUTH.API_KEY_INVALID');
    const last = good.key.slice(-1);
    const wrongSecret = await post({ 'X-Api-Key': good.key.slice(0, -1) + (last === 'A' ? 'B' : 'A') });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.code).toBe('AUTH.API_KEY_INVALID');
    const almostAdmin = await post({ 'X-Api-Key': ADMIN_KEY.slice(0, -1) + 'X' });
    expect(almostAdmin.status).toBe(401);
    expect(almostAdmin.body.code).toBe('AUTH.API_KEY_INVALID');

    const narrow = await create(['admin:audit']);
    const afterNarrow = await head(parley);
    const noScope = await post({ 'X-Api-Key': narrow.key });
    expect(noScope.status).toBe(403);
    expect(noScope.body).toMatchObject({
      statusCode: 403,
      code: 'AUTH.SCOPE_MISSING',
      message: 'This API key lacks the scope admin:keys',
      details: [{ field: 'X-Api-Key', reason: 'lacks the scope admin:keys' }],
    });

    await parley.http().delete(`/v1/admin/api-keys/${good.id}`).set(admin).expect(200);
    const afterRevoke = await head(parley);
    const revoked = await post({ 'X-Api-Key': good.key });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'AUTH.API_KEY_REVOKED', message: 'This API key was revoked' });
    // A revoked key's id with a wrong secret says nothing about the revocation.
    const revokedWrong = await post({ 'X-Api-Key': good.key.slice(0, -1) + (last === 'A' ? 'B' : 'A') });
    expect(revokedWrong.body.code).toBe('AUTH.API_KEY_INVALID');

    expect(before).not.toBeNull();
    expect(BigInt(afterNarrow!)).toBe(BigInt(before!) + 1n);
    expect(BigInt(afterRevoke!)).toBe(BigInt(afterNarrow!) + 1n);
    expect(await head(parley)).toBe(afterRevoke);
  });

  it('refuses a bad name or scopes with 400 naming the field, and writes nothing', async () => {
    const before = await head(parley);
    const post = (body: unknown) => parley.http().post('/v1/admin/api-keys').set(admin).send(body as object);

    const emptyName = await post({ name: '   ', scopes: ['admin:users'] });
    expect(emptyName.status).toBe(400);
    expect(emptyName.body).toMatchObject({ code: 'API_KEY.INVALID', details: [{ field: 'name', reason: 'must not be empty' }] });
    const longName = await post({ name: 'n'.repeat(101), scopes: ['admin:users'] });
    expect(longName.body).toMatchObject({ code: 'API_KEY.INVALID', details: [{ field: 'name', reason: 'must be at most 100 characters long' }] });
    const unknownScope = await post({ name: 'ops', scopes: ['admin:users', 'admin:root'] });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body.code).toBe('API_KEY.INVALID');
    expect(unknownScope.body.details).toEqual([{ field: 'scopes', reason: expect.stringContaining('"admin:root" is not a scope') }]);
    const noScopes = await post({ name: 'ops', scopes: [] });
    expect(noScopes.body).toMatchObject({ code: 'API_KEY.INVALID', details: [{ field: 'scopes', reason: expect.stringContaining('at least one') }] });

    const missingScopes = await post({ name: 'ops' });
    expect(missingScopes.status).toBe(400);
    expect(missingScopes.body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(missingScopes.body.details.map((d: { field: string }) => d.field)).toContain('scopes');
    const notStrings = await post({ name: 'ops', scopes: [1] });
    expect(notStrings.body.details.map((d: { field: string }) => d.field)).toContain('scopes');
    const extra = await post({ name: 'ops', scopes: ['admin:users'], key: 'pk_mine' });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toEqual([expect.objectContaining({ field: 'key' })]);

    expect(await head(parley)).toBe(before);
  });

  it('enforces the scope of each admin area', async () => {
    const keys = {} as Record<ApiKeyScope, string>;
    for (const scope of API_KEY_SCOPES) keys[scope] = (await create([scope])).key;
    const routes: { scope: ApiKeyScope; path: string }[] = [
      { scope: 'admin:webhooks', path: '/v1/admin/webhooks' },
      { scope: 'admin:export', path: '/v1/admin/events?limit=1' },
      { scope: 'admin:export', path: '/v1/admin/exports' },
      { scope: 'admin:export', path: '/v1/admin/imports' },
      { scope: 'admin:audit', path: `/v1/admin/audit/rooms/${roomId}` },
      { scope: 'admin:audit', path: `/v1/admin/audit/streams/room-${roomId}` },
      { scope: 'admin:keys', path: '/v1/admin/api-keys' },
    ];
    for (const { scope, path } of routes) {
      const allowed = await parley.http().get(path).set('X-Api-Key', keys[scope]).buffer(true).parse((r, cb) => {
        let text = '';
        r.on('data', (chunk: Buffer) => (text += chunk.toString()));
        r.on('end', () => cb(null, text));
      });
      expect([path, allowed.status]).toEqual([path, 200]);
      for (const other of API_KEY_SCOPES.filter((s) => s !== scope)) {
        const refused = await parley.http().get(path).set('X-Api-Key', keys[other]);
        expect([path, other, refused.status, refused.body.code]).toEqual([path, other, 403, 'AUTH.SCOPE_MISSING']);
        expect(refused.body.message).toBe(`This API key lacks the scope ${scope}`);
      }
    }
    // Writes too: a webhooks key cannot start an export, an export key can.
    const exportBody = { type: 'users', startDate: '2024-01-01', endDate: '2024-01-02' };
    const refusedExport = await parley.http().post('/v1/admin/exports').set('X-Api-Key', keys['admin:webhooks']).send(exportBody);
    expect(refusedExport.status).toBe(403);
    const started = await parley.http().post('/v1/admin/exports').set('X-Api-Key', keys['admin:export']).send(exportBody);
    expect(started.status).toBe(202);
    // Let the job finish, so that later log heads stay still.
    for (let tries = 0; ; tries++) {
      const job = await parley.http().get(`/v1/admin/exports/${started.body.id}`).set('X-Api-Key', keys['admin:export']).expect(200);
      if (job.body.status === 'done' || job.body.status === 'failed') break;
      if (tries > 200) throw new Error(`export job still ${job.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });

  it('records the key as the actor of what it does, and a key with every scope works everywhere', async () => {
    const all = await create([...API_KEY_SCOPES], 'all scopes');
    const webhook = await parley
      .http()
      .post('/v1/admin/webhooks')
      .set('X-Api-Key', all.key)
      .send({ url: 'https://hooks.example.com/p', events: ['CommentPosted'], secret: 's'.repeat(32) })
      .expect(201);
    const created = await create(['admin:users'], 'made by a key', { 'X-Api-Key': all.key });
    const audit = (stream: string) => parley.http().get(`/v1/admin/audit/streams/${stream}`).set('X-Api-Key', all.key).expect(200);
    expect((await audit(`webhook-${webhook.body.id}`)).body.events[0].metadata.actor).toBe(`apikey:${all.id}`);
    const keyEvent = (await audit(`apikey-${created.id}`)).body.events[0];
    expect(keyEvent.metadata.actor).toBe(`apikey:${all.id}`);
    expect(keyEvent.data.createdBy).toBe(`apikey:${all.id}`);
    await parley.http().delete(`/v1/admin/webhooks/${webhook.body.id}`).set('X-Api-Key', all.key).expect(200);
  });

  it('lets a key grant only the scopes it holds (403 naming the rest), writing nothing', async () => {
    const keysOnly = await create(['admin:keys'], 'keys only');
    const before = await head(parley);
    const wider = await parley
      .http()
      .post('/v1/admin/api-keys')
      .set('X-Api-Key', keysOnly.key)
      .send({ name: 'escalation', scopes: ['admin:keys', 'admin:export', 'admin:users'] });
    expect(wider.status).toBe(403);
    expect(wider.body).toEqual({
      statusCode: 403,
      code: 'API_KEY.SCOPES_NOT_HELD',
      message: 'A key grants only scopes it holds; this one lacks admin:users, admin:export',
      details: [
        { field: 'scopes', reason: 'admin:users is not held by the calling key' },
        { field: 'scopes', reason: 'admin:export is not held by the calling key' },
      ],
    });
    expect(await head(parley)).toBe(before);

    // Within its reach it mints; ADMIN_API_KEY holds every scope.
    const narrow = await create(['admin:keys'], 'made by keys only', { 'X-Api-Key': keysOnly.key });
    expect(narrow.scopes).toEqual(['admin:keys']);
    const audit = await create(['admin:keys', 'admin:audit'], 'audit and keys');
    await create(['admin:audit'], 'audit by a holder', { 'X-Api-Key': audit.key });
    expect((await create([...API_KEY_SCOPES], 'everything by the admin key')).scopes).toEqual([...API_KEY_SCOPES]);
  });

  it('revokes at once, twice changes nothing, and an unknown id is a 404', async () => {
    const ops = await create(['admin:keys', 'admin:webhooks'], 'ops');
    await parley.http().get('/v1/admin/webhooks').set('X-Api-Key', ops.key).expect(200);
    // A key may revoke itself; the very next request is refused.
    const revoked = await parley.http().delete(`/v1/admin/api-keys/${ops.id}`).set('X-Api-Key', ops.key).expect(200);
    expect(revoked.body).toMatchObject({ id: ops.id, status: 'revoked', written: 1 });
    const after = await parley.http().get('/v1/admin/webhooks').set('X-Api-Key', ops.key);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('AUTH.API_KEY_REVOKED');

    const before = await head(parley);
    const again = await parley.http().delete(`/v1/admin/api-keys/${ops.id}`).set(admin).expect(200);
    expect(again.body).toMatchObject({ status: 'revoked', written: 0, position: null });
    const unknown = await parley.http().delete('/v1/admin/api-keys/00000000-0000-4000-8000-000000000000').set(admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('API_KEY.NOT_FOUND');
    const badId = await parley.http().delete('/v1/admin/api-keys/not-an-id').set(admin);
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual([{ field: 'id', reason: 'must be a UUID' }]);
    expect(await head(parley)).toBe(before);

    const list = await parley.http().get('/v1/admin/api-keys').set(admin).set('X-Min-Position', revoked.body.position).expect(200);
    expect((list.body.items as { id: string }[]).find((item) => item.id === ops.id)).toMatchObject({
      status: 'revoked',
      revokedBy: `apikey:${ops.id}`,
      revokedAt: expect.any(String),
    });
  });
});

describe('the bootstrap key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bootstrap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is printed once at the first start, works with every scope, and is never printed again', async () => {
    const first = await capturingStdout(() => ParleyHarness.start({}, dir));
    let key: string;
    try {
      const printed = first.printed.match(KEY_PATTERN) ?? [];
      expect(printed).toHaveLength(1);
      key = printed[0]!;
      expect(key.startsWith(`pk_${BOOTSTRAP_API_KEY_ID.replace(/-/g, '')}_`)).toBe(true);
      expect(first.printed).toContain('the bootstrap API key of this installation, shown this once');
      expect(first.printed).toMatch(/^\+-+\+$/m);

      const parley = first.result;
      const list = await parley.http().get('/v1/admin/api-keys').set('X-Api-Key', key);
      expect(list.status).toBe(200);
      await parley.settled();
      const again = await parley.http().get('/v1/admin/api-keys').set('X-Api-Key', key).expect(200);
      expect(again.body.items).toEqual([
        expect.objectContaining({ id: BOOTSTRAP_API_KEY_ID, name: 'bootstrap', scopes: [...API_KEY_SCOPES], bootstrap: true, status: 'active', createdBy: 'system' }),
      ]);
      for (const path of ['/v1/admin/webhooks', '/v1/admin/exports', '/v1/admin/imports', `/v1/admin/audit/streams/apikey-${BOOTSTRAP_API_KEY_ID}`]) {
        expect([path, (await parley.http().get(path).set('X-Api-Key', key)).status]).toEqual([path, 200]);
      }
      expect(eventFiles(dir)).not.toContain(key.split('_').slice(2).join('_'));
    } finally {
      await first.result.stop();
    }

    const second = await capturingStdout(() => ParleyHarness.start({}, dir));
    try {
      expect(second.printed).not.toMatch(KEY_PATTERN);
      expect(second.printed).not.toContain('bootstrap API key');
      await second.result.http().get('/v1/admin/webhooks').set('X-Api-Key', key).expect(200);
      const stream = await second.result.http().get(`/v1/admin/audit/streams/apikey-${BOOTSTRAP_API_KEY_ID}`).set('X-Api-Key', key).expect(200);
      expect(stream.body.events).toHaveLength(1);
    } finally {
      await second.result.stop();
    }
  });

  it('is created once when two processes start a fresh installation together (the second is refused)', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'parley-bootstrap-race-'));
    try {
      const both = await capturingStdout(() => Promise.allSettled([ParleyHarness.start({}, shared), ParleyHarness.start({}, shared)]));
      const started = both.result.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = both.result.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      try {
        // One API process per embedded DATA_DIR (test/several-api-processes.e2e.spec.ts).
        expect(started).toHaveLength(1);
        expect(refused.map((e) => e.message)).toEqual([expect.stringMatching(/already served by another Parley API process/)]);
        expect(both.printed.match(KEY_PATTERN) ?? []).toHaveLength(1);
        const key = both.printed.match(KEY_PATTERN)![0];
        const stream = await started[0]!.http().get(`/v1/admin/audit/streams/apikey-${BOOTSTRAP_API_KEY_ID}`).set('X-Api-Key', key).expect(200);
        expect(stream.body.events).toHaveLength(1);
      } finally {
        await Promise.all(started.map((h) => h.stop()));
      }
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('is not created when ADMIN_API_KEY is configured', async () => {
    const { result: parley, printed } = await capturingStdout(() => ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }));
    try {
      expect(printed).not.toMatch(KEY_PATTERN);
      expect(await head(parley)).toBeNull();
      const stream = await parley.http().get(`/v1/admin/audit/streams/apikey-${BOOTSTRAP_API_KEY_ID}`).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(stream.body.events).toEqual([]);
    } finally {
      await parley.stop();
    }
  });
});

describe('parley keys (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-keys-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists and revokes keys that a running API honours at once', async () => {
    // Before any API ever ran: list brings the read model up to date itself.
    const offline = cli(dir, 'keys', 'create', '--name', 'Offline', '--scopes', 'admin:users');
    expect(offline.status).toBe(0);
    const offlineList = cli(dir, 'keys', 'list');
    expect(offlineList.status).toBe(0);
    expect(offlineList.stdout).toMatch(/active .*admin:users {2}"Offline"/);

    const parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY }, dir);
    try {
      const created = cli(dir, 'keys', 'create', '--name', 'Nightly export', '--scopes', 'admin:export, admin:audit');
      expect(created.status).toBe(0);
      const keys = created.stdout.match(KEY_PATTERN) ?? [];
      expect(keys).toHaveLength(1);
      const key = keys[0]!;
      const id = /created API key ([0-9a-f-]{36}) "Nightly export" with scopes admin:export,admin:audit/.exec(created.stdout)?.[1];
      expect(id).toBeDefined();

      // Used at once by the API in this process, with its scopes only.
      await parley.http().get('/v1/admin/events?limit=1').set('X-Api-Key', key).buffer(true).parse((r, cb) => {
        r.on('data', () => undefined);
        r.on('end', () => cb(null, null));
      }).expect(200);
      const stream = await parley.http().get(`/v1/admin/audit/streams/apikey-${id}`).set('X-Api-Key', key).expect(200);
      // Audit views show that a hash was stored, never the hash itself (promise 9).
      expect(stream.body.events[0]).toMatchObject({ data: { secretHash: '[redacted]', createdBy: 'cli' }, metadata: { actor: 'cli' } });
      expect(stream.text).not.toContain(sha256(key));
      const noScope = await parley.http().get('/v1/admin/webhooks').set('X-Api-Key', key);
      expect(noScope.status).toBe(403);
      expect(noScope.body.code).toBe('AUTH.SCOPE_MISSING');

      const list = cli(dir, 'keys', 'list');
      expect(list.stdout).toContain(`${id}  active `);
      expect(list.stdout).toContain('"Nightly export"');
      expect(list.stdout).not.toContain(key.split('_').slice(2).join('_'));
      expect(list.stdout).not.toContain(sha256(key));
      expect(eventFiles(dir)).not.toContain(key.split('_').slice(2).join('_'));
      // The API's own listing sees the key written by the other process.
      await parley.settled();
      const http = await parley.http().get('/v1/admin/api-keys').set('X-Api-Key', ADMIN_KEY).expect(200);
      expect((http.body.items as { id: string }[]).map((item) => item.id)).toContain(id);

      const revoked = cli(dir, 'keys', 'revoke', id!);
      expect(revoked.status).toBe(0);
      expect(revoked.stdout).toBe(`revoked API key ${id}\n`);
      const refused = await parley.http().get(`/v1/admin/audit/streams/apikey-${id}`).set('X-Api-Key', key);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('AUTH.API_KEY_REVOKED');
      expect(cli(dir, 'keys', 'revoke', id!).stdout).toBe(`API key ${id} was revoked already\n`);
      expect(cli(dir, 'keys', 'list').stdout).toContain(`${id}  revoked`);
    } finally {
      await parley.stop();
    }
  }, 240_000);

  it('refuses bad input with a message naming it, and writes nothing', async () => {
    const before = await headOnDisk(dir);
    const badScope = cli(dir, 'keys', 'create', '--name', 'x', '--scopes', 'admin:root');
    expect(badScope.status).toBe(2);
    expect(badScope.stderr).toContain('"admin:root" is not a scope');
    expect(badScope.stderr).toContain('API_KEY.INVALID');
    expect(badScope.stdout).not.toMatch(KEY_PATTERN);
    const noName = cli(dir, 'keys', 'create', '--scopes', 'admin:users');
    expect(noName.status).toBe(2);
    expect(noName.stderr).toContain('keys create needs --name');
    const unknown = cli(dir, 'keys', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('API_KEY.NOT_FOUND');
    const badId = cli(dir, 'keys', 'revoke', 'nope');
    expect(badId.status).toBe(2);
    expect(badId.stderr).toContain('needs the id of a key');
    expect(before).not.toBeNull();
    expect(await headOnDisk(dir)).toBe(before);
  }, 240_000);
});
