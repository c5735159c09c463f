import Database from 'better-sqlite3';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AccountsClock } from '../apps/api/accounts/phone-accounts';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness } from './support/parley-app';

const API_KEY = 'phone-accounts-e2e-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': API_KEY };

/** Numbers no test shares: +1 555 and a counter. */
let numbers = 0;
const newPhone = () => `+1555${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;

/**
 * Starts Parley with the accounts clock frozen at the real time, moved only by
 * `advance`: code lifetimes and request limits are then exact.
 */
async function startParley(env: Record<string, string>) {
  const h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, ...env });
  let now = Date.now();
  jest.spyOn(h.app.get(AccountsClock), 'now').mockImplementation(() => new Date(now));
  const store = h.app.get<EventStore>(EVENT_STORE);
  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  return {
    h,
    advance: (seconds: number) => void (now += seconds * 1000),
    head,
    /** Types of the events written after `since` (a head read before). */
    writtenSince: async (since: string | null): Promise<string[]> =>
      (await store.readAll({ ...(since === null ? {} : { after: BigInt(since) }), maxCount: 100 })).map((e) => e.type),
  };
}

describe('accounts by phone (embedded code sender)', () => {
  let parley: Awaited<ReturnType<typeof startParley>>;
  let h: ParleyHarness;
  /** Every line Parley wrote to stdout during this suite (LOG_LEVEL=debug). */
  const stdout: string[] = [];
  /** Every number and code the tests used, for the privacy checks at the end. */
  const phones = new Set<string>();
  const codes = new Set<string>();

  beforeAll(async () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write);
    parley = await startParley({ VERIFICATION_MAX_ATTEMPTS: '3', LOG_LEVEL: 'debug' });
    h = parley.h;
  });
  afterAll(async () => {
    await h.stop();
    jest.restoreAllMocks();
  });

  const phone = () => {
    const number = newPhone();
    phones.add(number);
    return number;
  };
  const codesSentTo = async (number: string) => {
    const res = await h.http().get('/v1/admin/verification-codes').query({ phone: number }).set(admin).expect(200);
    const items = res.body.items as { phone: string; channel: string; code: string; expiresAt: string; sentAt: string }[];
    for (const item of items) codes.add(item.code);
    return items;
  };
  const lastCode = async (number: string) => {
    const [latest] = await codesSentTo(number);
    if (!latest) throw new Error(`no code was sent to ${number}`);
    return latest.code;
  };
  const create = (number: string, nickname = 'Padmé') => h.http().post('/v1/accounts').send({ phone: number, nickname });
  const requestCode = (number: string, channel?: 'sms' | 'voice') =>
    h.http().post('/v1/accounts/request-code').send({ phone: number, ...(channel ? { channel } : {}) });
  const verify = (number: string, code: string) => h.http().post('/v1/accounts/verify').send({ phone: number, code });
  /** A code that is not `code`. */
  const wrong = (code: string) => (code === '000000' ? '000001' : '000000');
  /** Create, a wrong code, verify, sign in again by voice: the privacy checks run over this (and whatever ran before). */
  const exercise = async () => {
    const number = phone();
    await create(number).expect(201);
    const code = await lastCode(number);
    await verify(number, wrong(code)).expect(401);
    await verify(number, code).expect(200);
    parley.advance(30);
    await requestCode(number, 'voice').expect(202);
    await verify(number, await lastCode(number)).expect(200);
  };

  it('creates a pending account, sends a code by SMS, verifies it and signs in', async () => {
    const number = phone();
    const created = await create(number, 'Windu');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending', position: expect.stringMatching(/^\d+$/) });

    const [sent, ...older] = await codesSentTo(number);
    expect(older).toEqual([]);
    expect(sent).toMatchObject({ phone: number, channel: 'sms', code: expect.stringMatching(/^\d{6}$/) });
    expect(Date.parse(sent!.expiresAt) - Date.parse(sent!.sentAt)).toBeGreaterThan(590_000);

    const before = await parley.head();
    const signedIn = await verify(number, sent!.code);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      user: { id: created.body.id, displayName: 'Windu' },
    });
    expect(await parley.writtenSince(before)).toContain('PhoneVerified');

    const auth = { Authorization: `Bearer ${signedIn.body.access_token}` };
    await h.http().get('/v1/rooms').set(auth).expect(200);
    const room = await h.http().post('/v1/rooms').set(auth).send({ name: 'Jedi council', participants: [] });
    expect(room.status).toBe(201);
    const refreshed = await h.http().post('/v1/oauth/token').send({ grant_type: 'refresh_token', refresh_token: signedIn.body.refresh_token });
    expect(refreshed.status).toBe(200);

    // A code works once.
    const again = await verify(number, sent!.code);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('ACCOUNT.CODE_NOT_REQUESTED');
  });

  it('accepts a number typed with spaces, dashes or 00 and stores it in international form', async () => {
    const number = phone();
    const typed = `00 ${number.slice(1, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)}`;
    await create(typed).expect(201);
    expect((await codesSentTo(number))[0]?.phone).toBe(number);
    await verify(number, await lastCode(number)).expect(200);
  });

  it('signs a phone account in again with a new code, by SMS or by voice', async () => {
    const number = phone();
    const id = (await create(number).expect(201)).body.id as string;
    await verify(number, await lastCode(number)).expect(200);

    parley.advance(30);
    const sms = await requestCode(number);
    expect(sms.status).toBe(202);
    expect(sms.body).toEqual({ channel: 'sms', expiresIn: 600 });
    const bySms = await verify(number, await lastCode(number));
    expect(bySms.status).toBe(200);
    expect(bySms.body.user.id).toBe(id);

    parley.advance(30);
    await requestCode(number, 'voice').expect(202, { channel: 'voice', expiresIn: 600 });
    const [voice] = await codesSentTo(number);
    expect(voice?.channel).toBe('voice');
    const byVoice = await verify(number, voice!.code);
    expect(byVoice.status).toBe(200);
    expect(byVoice.body.user.id).toBe(id);
    await h.http().get('/v1/rooms').set('Authorization', `Bearer ${byVoice.body.access_token}`).expect(200);
  });

  it('sends a pending account a new code when it is created again, keeping its id and first nickname', async () => {
    const number = phone();
    const first = await create(number, 'Mace').expect(201);
    const firstCode = await lastCode(number);

    parley.advance(30);
    const before = await parley.head();
    const second = await create(number, 'Someone else');
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: first.body.id, status: 'pending', position: expect.any(String) });
    expect(await parley.writtenSince(before)).toEqual(['VerificationCodeIssued']);

    const secondCode = await lastCode(number);
    if (secondCode !== firstCode) {
      const stale = await verify(number, firstCode);
      expect(stale.status).toBe(401);
      expect(stale.body.code).toBe('ACCOUNT.CODE_INVALID');
    }
    const signedIn = await verify(number, secondCode);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toEqual({ id: first.body.id, displayName: 'Mace' });
  });

  it('refuses to create an account for a verified number with 409, and writes and sends nothing', async () => {
    const number = phone();
    await create(number).expect(201);
    await verify(number, await lastCode(number)).expect(200);
    parley.advance(30);
    const before = await parley.head();
    const sentBefore = (await codesSentTo(number)).length;
    const taken = await create(number, 'Impostor');
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ statusCode: 409, code: 'ACCOUNT.PHONE_TAKEN', message: expect.any(String) });
    expect(await parley.head()).toBe(before);
    expect(await codesSentTo(number)).toHaveLength(sentBefore);
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const number = phone();
    await create(number).expect(201);
    const before = await parley.head();
    const cases: [string, Record<string, unknown>, string][] = [
      ['/v1/accounts', { phone: '12345', nickname: 'A' }, 'phone'],
      ['/v1/accounts', { phone: '+0123456789', nickname: 'A' }, 'phone'],
      ['/v1/accounts', { phone: '+1555abc4567', nickname: 'A' }, 'phone'],
      ['/v1/accounts', { phone: 15551234567, nickname: 'A' }, 'phone'],
      ['/v1/accounts', { nickname: 'A' }, 'phone'],
      ['/v1/accounts', { phone: number, nickname: '' }, 'nickname'],
      ['/v1/accounts', { phone: number, nickname: '   ' }, 'nickname'],
      ['/v1/accounts', { phone: number, nickname: 'x'.repeat(101) }, 'nickname'],
      ['/v1/accounts', { phone: number }, 'nickname'],
      ['/v1/accounts', { phone: number, nickname: 'A', password: 'x' }, 'password'],
      ['/v1/accounts/request-code', { phone: 'call me' }, 'phone'],
      ['/v1/accounts/request-code', { phone: number, channel: 'fax' }, 'channel'],
      ['/v1/accounts/verify', { phone: '+1', code: '123456' }, 'phone'],
      ['/v1/accounts/verify', { phone: number, code: '12a456' }, 'code'],
      ['/v1/accounts/verify', { phone: number, code: '123' }, 'code'],
      ['/v1/accounts/verify', { phone: number, code: '123456789' }, 'code'],
      ['/v1/accounts/verify', { phone: number, code: 123456 }, 'code'],
      ['/v1/accounts/verify', { phone: number }, 'code'],
    ];
    for (const [path, body, field] of cases) {
      const res = await h.http().post(path).send(body);
      expect({ path, body, status: res.status, code: res.body.code }).toEqual({ path, body, status: 400, code: 'REQUEST.VALIDATION_FAILED' });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await parley.head()).toBe(before);
    expect(await codesSentTo(number)).toHaveLength(1);
  });

  it('refuses a wrong code with the attempts left, writing down the attempt', async () => {
    const number = phone();
    await create(number).expect(201);
    const code = await lastCode(number);
    const before = await parley.head();
    const refused = await verify(number, wrong(code));
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      statusCode: 401,
      code: 'ACCOUNT.CODE_INVALID',
      message: 'Wrong code: 2 attempts left',
      details: [{ field: 'code', reason: 'wrong code; attemptsLeft=2' }],
    });
    expect(await parley.writtenSince(before)).toEqual(['VerificationCodeFailed']);
    await verify(number, code).expect(200);
  });

  it('voids a code after the allowed wrong attempts: even the right code is refused then', async () => {
    const number = phone();
    await create(number).expect(201);
    const code = await lastCode(number);
    const first = await verify(number, wrong(code));
    expect(first.body.message).toBe('Wrong code: 2 attempts left');
    const second = await verify(number, wrong(code));
    expect(second.body).toMatchObject({ code: 'ACCOUNT.CODE_INVALID', message: 'Wrong code: 1 attempt left' });
    const third = await verify(number, wrong(code));
    expect(third.status).toBe(401);
    expect(third.body.code).toBe('ACCOUNT.CODE_ATTEMPTS_EXCEEDED');

    const before = await parley.head();
    for (const guess of [code, wrong(code)]) {
      const res = await verify(number, guess);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('ACCOUNT.CODE_ATTEMPTS_EXCEEDED');
    }
    expect(await parley.head()).toBe(before);

    parley.advance(30);
    await requestCode(number).expect(202);
    await verify(number, await lastCode(number)).expect(200);
  });

  it('refuses an expired code and writes nothing for it', async () => {
    const number = phone();
    await create(number).expect(201);
    const code = await lastCode(number);
    parley.advance(599);
    await verify(number, wrong(code)).expect(401); // still alive: counted as a wrong attempt
    parley.advance(1);
    const before = await parley.head();
    for (const guess of [code, wrong(code)]) {
      const res = await verify(number, guess);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('ACCOUNT.CODE_EXPIRED');
    }
    expect(await parley.head()).toBe(before);
    await requestCode(number).expect(202);
    await verify(number, await lastCode(number)).expect(200);
  });

  it('rate limits codes per number with an exact Retry-After, and writes nothing when it does', async () => {
    const number = phone();
    await create(number).expect(201); // code 1 at t0
    const before = await parley.head();

    const now = await requestCode(number);
    expect(now.status).toBe(429);
    expect(now.headers['retry-after']).toBe('30');
    expect(now.body).toMatchObject({ statusCode: 429, code: 'ACCOUNT.CODE_RATE_LIMITED' });
    parley.advance(12.4);
    const soon = await create(number); // a repeated creation is limited alike
    expect(soon.status).toBe(429);
    expect(soon.headers['retry-after']).toBe('18');
    expect(await parley.head()).toBe(before);

    parley.advance(17.6); // t0 + 30
    await requestCode(number).expect(202);
    for (let i = 0; i < 3; i++) {
      parley.advance(30);
      await requestCode(number, 'voice').expect(202);
    } // five codes: t0, +30, +60, +90, +120
    parley.advance(30); // t0 + 150
    const hourly = await requestCode(number);
    expect(hourly.status).toBe(429);
    expect(hourly.body.code).toBe('ACCOUNT.CODE_RATE_LIMITED');
    expect(hourly.headers['retry-after']).toBe(String(3600 - 150));
    expect(await codesSentTo(number)).toHaveLength(5);

    parley.advance(3600 - 150 - 1);
    expect((await requestCode(number)).headers['retry-after']).toBe('1');
    parley.advance(1);
    await requestCode(number).expect(202);
    expect(await codesSentTo(number)).toHaveLength(6);
  });

  it('answers a number without an account like one with an account, and writes and sends nothing', async () => {
    const known = phone();
    const unknown = phone();
    await create(known).expect(201);
    parley.advance(30);
    const before = await parley.head();
    const forKnown = await requestCode(known);
    const forUnknown = await requestCode(unknown);
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(await parley.writtenSince(before)).toEqual(['VerificationCodeIssued']);
    expect(await codesSentTo(unknown)).toEqual([]);

    // The limits too: a second request at once is refused the same way.
    const head = await parley.head();
    const [againKnown, againUnknown] = [await requestCode(known), await requestCode(unknown)];
    expect(againUnknown.status).toBe(429);
    expect(againUnknown.headers['retry-after']).toBe(againKnown.headers['retry-after']);
    expect(againUnknown.body).toEqual(againKnown.body);

    const guess = await verify(unknown, '123456');
    expect(guess.status).toBe(401);
    expect(guess.body.code).toBe('ACCOUNT.CODE_NOT_REQUESTED');
    expect(await parley.head()).toBe(head);
  });

  it('makes one account of concurrent creations for one number', async () => {
    const number = phone();
    const before = await parley.head();
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => create(number, `Racer ${i}`)));
    const statuses = attempts.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    // The others found the pending account; its code was sent moments ago.
    expect(statuses.filter((status) => status !== 201).every((status) => status === 429)).toBe(true);
    const written = await parley.writtenSince(before);
    // One append: the account at the number's derived id is its own claim.
    expect(written.filter((type) => type === 'PhoneClaimed')).toHaveLength(0);
    expect(written.filter((type) => type === 'PhoneAccountCreated')).toHaveLength(1);
    expect(written.filter((type) => type === 'VerificationCodeIssued')).toHaveLength(1);
  });

  it('shows sent codes only to an API key, and checks the number asked for', async () => {
    const none = await h.http().get('/v1/admin/verification-codes');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('AUTH.API_KEY_MISSING');
    const wrongKey = await h.http().get('/v1/admin/verification-codes').set('X-Api-Key', API_KEY.slice(0, -1) + 'X');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.code).toBe('AUTH.API_KEY_INVALID');
    const user = await h.user('bearer');
    const bearer = await h.http().get('/v1/admin/verification-codes').set(user.auth);
    expect(bearer.status).toBe(401);
    const bad = await h.http().get('/v1/admin/verification-codes').query({ phone: 'nope' }).set(admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('phone');
    const all = await h.http().get('/v1/admin/verification-codes').set(admin).expect(200);
    expect(all.body.items.length).toBeGreaterThan(5);
    const times = (all.body.items as { sentAt: string }[]).map((item) => item.sentAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('keeps numbers out of stream ids and codes out of the events file', async () => {
    await exercise();
    const db = new Database(join(h.dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    let rows: { stream_id: string; type: string; data: string; metadata: string }[];
    try {
      rows = db.prepare('SELECT stream_id, type, data, metadata FROM events').all() as typeof rows;
    } finally {
      db.close();
    }
    // Accounts live at ids derived from the number's keyed hash; no claim stream is written any more.
    expect(rows.filter((row) => row.stream_id.startsWith('phone-'))).toEqual([]);
    expect(rows.filter((row) => row.type === 'PhoneAccountCreated').length).toBeGreaterThanOrEqual(1);

    expect(codes.size).toBeGreaterThanOrEqual(2);
    const digits = [...phones].map((number) => number.slice(1));
    for (const row of rows) {
      for (const number of digits) expect(row.stream_id).not.toContain(number);
      // The number may appear only in PhoneAccountCreated.phone (a personal field, encrypted by the store layer).
      const data = JSON.parse(row.data) as Record<string, unknown>;
      if (row.type === 'PhoneAccountCreated') delete data['phone'];
      const text = JSON.stringify(data) + row.metadata;
      for (const number of digits) expect(text).not.toContain(number);
      for (const code of codes) expect(text).not.toContain(`"${code}"`);
    }
    const issued = rows.filter((row) => row.type === 'VerificationCodeIssued').map((row) => JSON.parse(row.data) as Record<string, unknown>);
    expect(issued.length).toBeGreaterThanOrEqual(codes.size);
    for (const data of issued) {
      expect(Object.keys(data).sort()).toEqual(['channel', 'codeHash', 'codeId', 'expiresAt', 'issuedAt', 'userId']);
      expect(data['codeHash']).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('never logs numbers or codes in clear: not in request lines, errors, nor the embedded sender’s line', async () => {
    await exercise();
    // A number in a path and in a query string, and a refused request: wherever they turn up, the log redacts them.
    const number = phone();
    await h.http().get(`/v1/admin/verification-codes/${encodeURIComponent(number)}`).set(admin);
    await h.http().get('/v1/admin/verification-codes').query({ phone: number }).set(admin).expect(200);
    expect((await h.http().post('/v1/accounts/verify').send({ phone: number, code: '12345' })).status).toBeGreaterThanOrEqual(400);
    const lines = stdout.join('').split('\n').filter((line) => line.trim() !== '');
    expect(lines.some((line) => line.includes('"context":"http"'))).toBe(true); // debug request lines were captured
    const operatorLines = lines.filter((line) => line.includes('"context":"verification-codes"'));
    expect(operatorLines.length).toBeGreaterThanOrEqual(codes.size);
    const secrets = [...[...phones].map((n) => n.slice(1)), ...codes];
    expect(secrets.length).toBeGreaterThan(3);
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

interface ProviderRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: { to: string; channel: string; text: string; code: string };
}

/** An SMS provider on 127.0.0.1 that records what it gets and answers `status`. */
class SmsProvider {
  readonly requests: ProviderRequest[] = [];
  status = 200;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SmsProvider> {
    let provider: SmsProvider | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        provider!.requests.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProviderRequest['body'] });
        response.writeHead(provider!.status, { 'content-type': 'application/json' }).end('{"id":"msg-1"}');
      });
    });
    provider = new SmsProvider(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/messages`;
  }

  last(): ProviderRequest {
    const request = this.requests[this.requests.length - 1];
    if (!request) throw new Error('the provider got no request');
    return request;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

describe('accounts by phone (SMS provider over HTTP)', () => {
  let sms: SmsProvider;
  let parley: Awaited<ReturnType<typeof startParley>>;
  let h: ParleyHarness;

  beforeAll(async () => {
    sms = await SmsProvider.start();
    parley = await startParley({ SMS_PROVIDER_URL: sms.url, SMS_PROVIDER_TOKEN: 'provider-secret' });
    h = parley.h;
  });
  afterAll(async () => {
    await h.stop();
    await sms.stop();
    jest.restoreAllMocks();
  });

  it('sends the code to the provider and verifies the code the provider got', async () => {
    const number = newPhone();
    const created = await h.http().post('/v1/accounts').send({ phone: number, nickname: 'Depa' }).expect(201);
    const sent = sms.last();
    expect(sent.headers['authorization']).toBe('Bearer provider-secret');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({ to: number, channel: 'sms', text: expect.any(String), code: expect.stringMatching(/^\d{6}$/) });
    expect(sent.body.text).toBe(`Your Parley code is ${sent.body.code}. It expires in 10 minutes.`);

    const signedIn = await h.http().post('/v1/accounts/verify').send({ phone: number, code: sent.body.code }).expect(200);
    expect(signedIn.body.user).toEqual({ id: created.body.id, displayName: 'Depa' });

    parley.advance(30);
    await h.http().post('/v1/accounts/request-code').send({ phone: number, channel: 'voice' }).expect(202);
    expect(sms.last().body).toMatchObject({ to: number, channel: 'voice' });
    expect(sms.last().body.text).toContain(sms.last().body.code.split('').join(' '));
  });

  it('answers 503 ACCOUNT.CODE_NOT_SENT when the provider fails; the issued code stays and counts', async () => {
    const number = newPhone();
    await h.http().post('/v1/accounts').send({ phone: number, nickname: 'Cin' }).expect(201);
    parley.advance(30);
    sms.status = 500;
    const before = await parley.head();
    const failed = await h.http().post('/v1/accounts/request-code').send({ phone: number });
    sms.status = 200;
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('30');
    expect(failed.body).toEqual({ statusCode: 503, code: 'ACCOUNT.CODE_NOT_SENT', message: expect.stringContaining('provider answered 500') });
    expect(failed.body.message).not.toContain(number.slice(1));
    expect(await parley.writtenSince(before)).toEqual(['VerificationCodeIssued']);

    const tooSoon = await h.http().post('/v1/accounts/request-code').send({ phone: number });
    expect(tooSoon.status).toBe(429);
    parley.advance(30);
    await h.http().post('/v1/accounts/request-code').send({ phone: number }).expect(202);
    await h.http().post('/v1/accounts/verify').send({ phone: number, code: sms.last().body.code }).expect(200);
  });

  it('keeps an account whose first code was not sent: creating it again sends a new one', async () => {
    const number = newPhone();
    sms.status = 502;
    const failed = await h.http().post('/v1/accounts').send({ phone: number, nickname: 'Yaddle' });
    sms.status = 200;
    expect(failed.status).toBe(503);
    expect(failed.body.code).toBe('ACCOUNT.CODE_NOT_SENT');
    parley.advance(30);
    const again = await h.http().post('/v1/accounts').send({ phone: number, nickname: 'Yaddle' });
    expect(again.status).toBe(200);
    const signedIn = await h.http().post('/v1/accounts/verify').send({ phone: number, code: sms.last().body.code }).expect(200);
    expect(signedIn.body.user.id).toBe(again.body.id);
  });

  it('keeps no codes to list when a provider sends them', async () => {
    const res = await h.http().get('/v1/admin/verification-codes').set(admin);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ACCOUNT.CODES_NOT_RECORDED');
  });
});
