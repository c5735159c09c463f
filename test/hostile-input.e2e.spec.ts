import { connect } from 'node:net';
import { ParleyHarness, type TestUser } from './support/parley-app';

const KEY = 'hostile-key-0123456789-0123456789-abcdef';

/** A JSON text nested `depth` levels deep: `[[[ ... ]]]` or `{"a":{"a": ... }}`. */
const nested = (depth: number, kind: 'array' | 'object' = 'array'): string =>
  kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Sends raw bytes on a socket and answers everything the server wrote until it closed (or 2 s passed). */
function rawExchange(base: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function errorBodyOf(raw: string): { status: number; body: Record<string, unknown> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

describe('hostile input at the edge', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const admin = (path: string) => parley.http().get(path).set('X-Api-Key', KEY);

  describe('deep bodies are refused by the body parser (#11.9)', () => {
    it('answers 400 REQUEST.TOO_DEEP for a body nested 5,000 levels, even unauthenticated, and registers nobody', async () => {
      const before = (await parley.http().get('/health').expect(200)).body.eventStore.head;
      for (const kind of ['array', 'object'] as const) {
        const body = `{"username":"deep${kind}","password":"correct horse battery","displayName":${nested(5000, kind)}}`;
        const res = await parley.http().post('/v1/users').set('Content-Type', 'application/json').send(body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          statusCode: 400,
          code: 'REQUEST.TOO_DEEP',
          message: expect.stringContaining('64'),
          details: [{ field: 'body', reason: expect.stringContaining('64') }],
        });
      }
      expect((await parley.http().get('/health').expect(200)).body.eventStore.head).toBe(before);
    });

    it('refuses one level past the limit and lets the limit itself through to validation', async () => {
      const tooDeep = await parley.http().post('/v1/users').set('Content-Type', 'application/json').send(nested(65));
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.code).toBe('REQUEST.TOO_DEEP');
      const atLimit = await parley.http().post('/v1/users').set('Content-Type', 'application/json').send(nested(64));
      expect(atLimit.status).toBe(400);
      expect(atLimit.body.code).not.toBe('REQUEST.TOO_DEEP');
    });

    it('does not count brackets inside strings', async () => {
      const res = await parley
        .http()
        .post('/v1/users')
        .send({ username: `brackets${Date.now().toString(36)}`, password: 'correct horse battery', displayName: '[{'.repeat(40) });
      expect(res.status).toBe(201);
    });

    it('still answers 400 with the one error body for malformed JSON', async () => {
      const res = await parley.http().post('/v1/users').set('Content-Type', 'application/json').send('{"username": ');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: expect.any(String), message: expect.any(String) });
    });
  });

  describe('cursors holding the wrong types answer 400 naming cursor (#11.10)', () => {
    it.each([
      ['/v1/rooms', [1, 2]],
      ['/v1/rooms', ['2026-01-01T00:00:00.000Z', 7]],
      ['/v1/contacts', [1, 2]],
      ['/v1/contacts', [null, null]],
      ['/v1/me/status-message/history', ['x', 'y']],
      ['/v1/me/status-message/history', [1.5, 'y']],
      ['/v1/me/photo/history', [-1, 2]],
    ])('%s with a cursor of %j', async (path, value) => {
      const res = await parley.http().get(path).query({ cursor: cursorOf(value) }).set(alice.auth);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'REQUEST.CURSOR_INVALID', details: [{ field: 'cursor' }] });
    });

    it("accepts the cursors Parley hands out", async () => {
      for (let i = 0; i < 3; i++) {
        await parley.http().post('/v1/rooms').set(alice.auth).send({ name: `Room ${i}`, participants: [bob.id] }).expect(201);
      }
      await parley.settled();
      const first = await parley.http().get('/v1/rooms').query({ limit: 2 }).set(alice.auth).expect(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await parley.http().get('/v1/rooms').query({ limit: 2, cursor: first.body.nextCursor }).set(alice.auth);
      expect(second.status).toBe(200);
    });
  });

  describe('positions and revisions beyond what the log can hold answer 400 (#11.15, #11.20)', () => {
    it('refuses ?from= beyond the head on /v1/admin/events before anything is streamed', async () => {
      for (const from of ['9223372036854775808', '99999999999999999999999999', '9223372036854775807']) {
        const res = await admin(`/v1/admin/events?from=${from}`);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'EVENTS.FROM_AHEAD', details: [{ field: 'from' }] });
      }
    });

    it('reads a room as of a position past the head (or past 2^63) as the room now', async () => {
      const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Audited', participants: [] }).expect(201);
      const res = await admin(`/v1/admin/audit/rooms/${room.body.id}?at=99999999999999999999999`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ exists: true, name: 'Audited' });
    });

    it('refuses ?fromRevision= of 2^53 or more on the stream audit', async () => {
      for (const fromRevision of ['9007199254740992', '1e400', '123456789012345678901234567890']) {
        const res = await admin(`/v1/admin/audit/streams/user-${alice.id}?fromRevision=${fromRevision}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'REQUEST.VALIDATION_FAILED' });
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'fromRevision' })]));
      }
      const ok = await admin(`/v1/admin/audit/streams/user-${alice.id}?fromRevision=9007199254740991`);
      expect(ok.status).toBe(200);
      expect(ok.body.events).toEqual([]);
    });
  });

  describe('a null contact name is refused, not a crash (#11.20)', () => {
    it('answers 400 naming lastName, and the contact keeps its name', async () => {
      await parley.http().post('/v1/contacts').set(alice.auth).send({ contactId: bob.username, kind: 'username', firstName: 'Bobby', lastName: 'B' }).expect(201);
      for (const field of ['lastName', 'firstName']) {
        const res = await parley.http().patch(`/v1/contacts/${bob.username}`).set(alice.auth).send({ [field]: null });
        expect(res.status).toBe(400);
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
      await parley.settled();
      const list = await parley.http().get('/v1/contacts').set(alice.auth).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ firstName: 'Bobby', lastName: 'B' })]);
    });
  });

  describe('malformed HTTP and bad multipart get the one error body (#11.15)', () => {
    it('answers malformed HTTP with 400 and a JSON error body', async () => {
      const base = await parley.listen();
      const raw = await rawExchange(base, 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
      const { status, body } = errorBodyOf(raw);
      expect(status).toBe(400);
      expect(body).toEqual({ statusCode: 400, code: 'REQUEST.MALFORMED', message: expect.any(String) });
    });

    it('answers headers that are too large with 431 and a JSON error body', async () => {
      const base = await parley.listen();
      const raw = await rawExchange(base, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      const { status, body } = errorBodyOf(raw);
      expect(status).toBe(431);
      expect(body).toEqual({ statusCode: 431, code: 'REQUEST.HEADERS_TOO_LARGE', message: expect.any(String) });
    });

    it('keeps an import file name for display without controls or bidi overrides', async () => {
      const res = await parley
        .http()
        .post('/v1/admin/imports')
        .set('X-Api-Key', KEY)
        .send({ type: 'users', rows: [{ Email: 'ren@example.com', Name: 'Ren' }], filename: 'rows\u202Enosj.exe\u0085' })
        .expect(202);
      expect(res.body.filename).toBe('rowsnosj.exe');
      // The job appends in the background: let it finish so no later case sees its events land.
      const deadline = Date.now() + 20_000;
      let status = res.body.status as string;
      while (status !== 'done' && status !== 'failed') {
        if (Date.now() > deadline) throw new Error(`import ${res.body.id} still ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (await parley.http().get(`/v1/admin/imports/${res.body.id}`).set('X-Api-Key', KEY).expect(200)).body.status;
      }
      expect(status).toBe('done');
    });

    it('answers an import sent as multipart without a boundary with 400', async () => {
      const res = await parley
        .http()
        .post('/v1/admin/imports')
        .set('X-Api-Key', KEY)
        .set('Content-Type', 'multipart/form-data')
        .send('--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nusers\r\n--x--\r\n');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: expect.any(String), message: expect.any(String) });
    });
  });
  describe('names refuse control, bidirectional override and zero-width characters; comments keep what people write (#11.13)', () => {
    const BAD = [
      ['NUL', 'Ali\u0000ce'],
      ['a terminal escape', '\u001b[31mAlice'],
      ['a C1 control', 'Alice\u0085'],
      ['a right-to-left override', 'Alice\u202Egnp.exe'],
      ['a first-strong isolate', 'Alice\u2068x\u2069'],
      ['a zero-width space', 'Al\u200Bice'],
      ['a byte order mark', '\uFEFFAlice'],
    ] as const;

    it.each(BAD)('refuses %s in every name field, naming the field, and writes nothing', async (_, bad) => {
      const head = async () => (await parley.http().get('/health').expect(200)).body.eventStore.head as string;
      const before = await head();
      const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Clean', participants: [] }).expect(201)).body;
      await parley.http().post('/v1/contacts').set(alice.auth).send({ contactId: bob.username, kind: 'username' }).expect((r) => expect([201, 200, 409]).toContain(r.status));
      const afterSetup = await head();
      expect(BigInt(afterSetup)).toBeGreaterThan(BigInt(before));
      const attempts: [string, Promise<{ status: number; body: { statusCode: number; code: string; details?: { field: string }[] } }>][] = [
        ['name', parley.http().post('/v1/rooms').set(alice.auth).send({ name: bad, participants: [] }).then((r) => r)],
        ['topic', parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'ok', topic: bad, participants: [] }).then((r) => r)],
        ['name', parley.http().patch(`/v1/rooms/${room.id}`).set(alice.auth).send({ name: bad }).then((r) => r)],
        ['displayName', parley.http().post('/v1/users').send({ username: `n${Date.now().toString(36)}`, password: 'correct horse battery', displayName: bad }).then((r) => r)],
        ['displayName', parley.http().patch('/v1/me').set(alice.auth).send({ displayName: bad }).then((r) => r)],
        ['nickname', parley.http().post('/v1/accounts').send({ phone: '+15550009999', nickname: bad }).then((r) => r)],
        ['firstName', parley.http().post('/v1/contacts').set(alice.auth).send({ contactId: 'someone_else', kind: 'username', firstName: bad }).then((r) => r)],
        ['lastName', parley.http().patch(`/v1/contacts/${bob.username}`).set(alice.auth).send({ lastName: bad }).then((r) => r)],
        ['contacts[0].firstName', parley.http().put('/v1/contacts').set(alice.auth).send({ contacts: [{ contactId: bob.username, kind: 'username', firstName: bad }] }).then((r) => r)],
        ['name', parley.http().post('/v1/admin/api-keys').set('X-Api-Key', KEY).send({ name: bad, scopes: ['admin:users'] }).then((r) => r)],
        ['displayName', parley.http().post('/v1/admin/users').set('X-Api-Key', KEY).send({ username: `a${Date.now().toString(36)}`, password: 'correct horse battery', displayName: bad }).then((r) => r)],
        ['displayName', parley.http().patch(`/v1/admin/users/${bob.id}`).set('X-Api-Key', KEY).send({ displayName: bad }).then((r) => r)],
        ['device.name', parley.http().put('/v1/me/presence').set(alice.auth).send({ status: 'online', device: { name: bad, platform: 'android', version: '14' } }).then((r) => r)],
      ];
      for (const [field, attempt] of attempts) {
        const res = await attempt;
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.statusCode).toBe(400);
        expect(res.body.details?.map((d) => d.field)).toContain(field);
      }
      expect(await head()).toBe(afterSetup);
    });

    it('keeps line breaks, tabs, emoji, right-to-left text and its marks in comments, but refuses NUL', async () => {
      const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Words', participants: [bob.id] }).expect(201)).body;
      const text = 'line one\n\tindented 👨‍👩‍👧 \u200Fשלום\u200E مرحبا';
      const posted = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(alice.auth).send({ text }).expect(201);
      const got = await parley.http().get(`/v1/rooms/${room.id}/comments`).set(alice.auth).set('X-Min-Position', posted.body.position).expect(200);
      expect(got.body.items.map((c: { text: string }) => c.text)).toContain(text);
      const nul = await parley.http().post(`/v1/rooms/${room.id}/comments`).set(alice.auth).send({ text: 'a\u0000b' });
      expect(nul.status).toBe(400);
      expect(nul.body.details).toEqual([expect.objectContaining({ field: 'text' })]);
      const status = await parley.http().put('/v1/me/status-message').set(alice.auth).send({ message: 'x\u0000' });
      expect(status.status).toBe(400);
      expect(status.body.details).toEqual([expect.objectContaining({ field: 'message' })]);
    });

    it('accepts names in right-to-left scripts, with emoji and directional marks', async () => {
      const name = 'שלום 👋 \u200Fעולם';
      const res = await parley.http().post('/v1/rooms').set(alice.auth).send({ name, participants: [] }).expect(201);
      const got = await parley.http().get(`/v1/rooms/${res.body.id}`).set(alice.auth).set('X-Min-Position', res.body.position).expect(200);
      expect(got.body.name).toBe(name);
    });
  });

  describe('a partial permissions object changes only the flags it names (#11.18)', () => {
    const DEFAULTS = { rename: true, changeTopic: true, addMembers: true, removeMembers: false, send: true };

    it('creates a room naming one flag with the defaults for the others', async () => {
      const res = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Flags', participants: [bob.id], permissions: { removeMembers: true } }).expect(201);
      const got = await parley.http().get(`/v1/rooms/${res.body.id}`).set(alice.auth).set('X-Min-Position', res.body.position).expect(200);
      expect(got.body.permissions).toEqual({ ...DEFAULTS, removeMembers: true });
      const empty = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'No flags', participants: [], permissions: {} }).expect(201);
      const gotEmpty = await parley.http().get(`/v1/rooms/${empty.body.id}`).set(alice.auth).set('X-Min-Position', empty.body.position).expect(200);
      expect(gotEmpty.body.permissions).toEqual(DEFAULTS);
    });

    it('patches one flag and leaves the others as they were', async () => {
      const res = await parley
        .http()
        .post('/v1/rooms')
        .set(alice.auth)
        .send({ name: 'Patch flags', participants: [bob.id], permissions: { rename: false, removeMembers: true } })
        .expect(201);
      const patched = await parley.http().patch(`/v1/rooms/${res.body.id}`).set(alice.auth).send({ permissions: { send: false } }).expect(200);
      const got = await parley.http().get(`/v1/rooms/${res.body.id}`).set(alice.auth).set('X-Min-Position', patched.body.position).expect(200);
      expect(got.body.permissions).toEqual({ ...DEFAULTS, rename: false, removeMembers: true, send: false });
      // Bob may still rename nothing, but may add members: the patch did not switch addMembers off.
      await parley.http().post(`/v1/rooms/${res.body.id}/members`).set(bob.auth).send({ userIds: [alice.id] }).expect(200);
    });
  });
});

