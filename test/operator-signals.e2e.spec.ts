import { randomUUID } from 'node:crypto';
import { EVENT_VERSIONS, type CommentPosted } from '../libs/domain/events';
import { streams } from '../libs/domain/streams';
import type { EventStore } from '../libs/event-store/event-store.port';
import { RAW_EVENT_STORE } from '../apps/api/infrastructure/tokens';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { parsePrometheusText, type Family } from './support/prometheus-text';

const ADMIN_KEY = 'metrics-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': ADMIN_KEY };

/** The families an operator's dashboards and alerts are built on (issue #18). */
const FAMILIES: Record<string, Family['type']> = {
  parley_http_requests_total: 'counter',
  parley_http_request_duration_seconds: 'histogram',
  parley_commands_total: 'counter',
  parley_events_appended_total: 'counter',
  parley_log_head_position: 'gauge',
  parley_projection_position: 'gauge',
  parley_projection_lag_events: 'gauge',
  parley_projection_lag_seconds: 'gauge',
  parley_projection_running: 'gauge',
  parley_feed_sessions: 'gauge',
  parley_webhook_deliveries_total: 'counter',
  parley_webhook_backlog_events: 'gauge',
  parley_job_progress_percent: 'gauge',
  parley_jobs_waiting: 'gauge',
  parley_store_up: 'gauge',
};

const seriesCount = (families: Map<string, Family>) => [...families.values()].reduce((sum, family) => sum + family.samples.length, 0);

describe('operator signals: /metrics, liveness and readiness', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY });
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
  });
  afterAll(async () => {
    await parley.stop();
  });

  const scrape = async () => {
    const response = await parley.http().get('/metrics').set(admin).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(response.text);
  };

  it('refuses /metrics without an API key, and with a key that lacks admin:metrics', async () => {
    expect((await parley.http().get('/metrics')).body).toMatchObject({ statusCode: 401, code: 'AUTH.API_KEY_MISSING' });
    const created = await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: 'Auditor', scopes: ['admin:audit'] }).expect(201);
    const refused = await parley.http().get('/metrics').set('X-Api-Key', created.body.key);
    expect(refused.body).toMatchObject({ statusCode: 403, code: 'AUTH.SCOPE_MISSING' });
    const scraper = await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: 'Prometheus', scopes: ['admin:metrics'] }).expect(201);
    await parley.http().get('/metrics').set('X-Api-Key', scraper.body.key).expect(200);
  });

  it('serves every family in the Prometheus text format, with commands by type and outcome and requests by route template', async () => {
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Signals', participants: [bob.id] }).expect(201);
    await parley.http().post(`/v1/rooms/${room.body.id}/comments`).set(alice.auth).send({ text: 'hello' }).expect(201);
    // Only operators and owners change permissions: the room decider refuses Bob.
    const refused = await parley.http().patch(`/v1/rooms/${room.body.id}`).set(bob.auth).send({ permissions: { send: false } });
    expect(refused.status).toBe(403);
    await parley.settled();

    const families = await scrape();
    for (const [name, type] of Object.entries(FAMILIES)) {
      expect({ name, type: families.get(name)?.type }).toEqual({ name, type });
    }
    const commands = families.get('parley_commands_total')!.samples;
    expect(commands).toContainEqual({ name: 'parley_commands_total', labels: { command: 'CreateRoom', outcome: 'appended' }, value: 1 });
    expect(commands).toContainEqual({ name: 'parley_commands_total', labels: { command: 'UpdateRoom', outcome: 'refused' }, value: 1 });
    expect(commands).toContainEqual({ name: 'parley_commands_total', labels: { command: 'PostComment', outcome: 'appended' }, value: 1 });
    const appended = families.get('parley_events_appended_total')!.samples;
    expect(appended.find((s) => s.labels['type'] === 'RoomCreated')?.value).toBe(1);
    expect(appended.find((s) => s.labels['type'] === 'CommentPosted')?.value).toBe(1);

    const requests = families.get('parley_http_requests_total')!.samples;
    expect(requests).toContainEqual({
      name: 'parley_http_requests_total',
      labels: { method: 'PATCH', route: '/v1/rooms/:roomId', status: '403' },
      value: 1,
    });
    const buckets = families.get('parley_http_request_duration_seconds')!.samples.filter(
      (s) => s.labels['route'] === '/v1/rooms/:roomId/comments' && s.labels['method'] === 'POST',
    );
    expect(buckets.find((s) => s.labels['le'] === '+Inf')?.value).toBe(1);

    const head = families.get('parley_log_head_position')!.samples[0]!.value;
    const projections = families.get('parley_projection_position')!.samples;
    expect(projections.map((s) => s.labels['projection'])).toEqual(expect.arrayContaining(['rooms', 'timeline', 'memberships']));
    for (const sample of projections) expect(sample.value).toBe(head);
    for (const sample of families.get('parley_projection_lag_events')!.samples) expect(sample.value).toBe(0);
    for (const sample of families.get('parley_projection_running')!.samples) expect(sample.value).toBe(1);
    expect(families.get('parley_store_up')!.samples.map((s) => s.value)).toEqual([1, 1]);
    expect(families.get('parley_feed_sessions')!.samples).toEqual([{ name: 'parley_feed_sessions', labels: {}, value: 0 }]);
  });

  it('keeps its label sets bounded: 1,000 requests to 1,000 different room ids add one route, not 1,000 series', async () => {
    const before = await scrape();
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => parley.http().get(`/v1/rooms/${id}`).set(alice.auth).expect(404)));
    }
    const after = await scrape();
    const text = (await parley.http().get('/metrics').set(admin)).text;
    for (const id of ids.slice(0, 50)) expect(text).not.toContain(id);
    const rooms = after.get('parley_http_requests_total')!.samples.filter((s) => s.labels['route'] === '/v1/rooms/:roomId' && s.labels['method'] === 'GET');
    expect(rooms).toEqual([{ name: 'parley_http_requests_total', labels: { method: 'GET', route: '/v1/rooms/:roomId', status: '404' }, value: 1_000 }]);
    // One new (method, route, status) for the counter and its histogram (buckets + sum + count); a few from the scrapes themselves.
    expect(seriesCount(after) - seriesCount(before)).toBeLessThan(60);
    const routes = new Set(after.get('parley_http_requests_total')!.samples.map((s) => s.labels['route']));
    expect(routes.size).toBeLessThan(20);
  }, 300_000);

  it('answers liveness always, and readiness 503 naming the projection that stopped', async () => {
    await parley.settled();
    expect((await parley.http().get('/health/live').expect(200)).body).toEqual({ status: 'live' });
    expect((await parley.http().get('/health/ready').expect(200)).body).toEqual({ status: 'ready' });

    // An event an older Parley accepted and the timeline cannot hold: straight into the log.
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Poisoned', participants: [bob.id] }).expect(201);
    let payload: Record<string, unknown> = {};
    for (let i = 1; i < 1_000; i++) payload = { a: payload };
    const commentId = randomUUID();
    const data: CommentPosted['data'] = {
      commentId,
      roomId: room.body.id,
      seq: 1,
      previousId: null,
      senderId: alice.id,
      text: 'deep',
      commentType: 'custom',
      payload,
      replyTo: null,
      clientId: null,
      postedAt: new Date().toISOString(),
    };
    await parley.app
      .get<EventStore>(RAW_EVENT_STORE)
      .append(streams.comments(room.body.id), [{ id: commentId, type: 'CommentPosted', version: EVENT_VERSIONS.CommentPosted, data, metadata: { actor: alice.id } }], 'any');
    await parley.settled();

    const ready = await parley.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', failed: ['timeline'] });
    expect(ready.body.reasons).toEqual([expect.stringMatching(/^projection timeline failed at position \d+ \(CommentPosted\)$/)]);
    await parley.http().get('/health/live').expect(200);
    // /health keeps its shape and status.
    expect((await parley.http().get('/health')).body).toMatchObject({ status: 'degraded', failed: [expect.objectContaining({ projection: 'timeline' })] });

    const running = (await scrape()).get('parley_projection_running')!.samples;
    expect(running.find((s) => s.labels['projection'] === 'timeline')?.value).toBe(0);
    expect(running.find((s) => s.labels['projection'] === 'rooms')?.value).toBe(1);
  });
});

describe('/metrics switched off', () => {
  it('is not served with METRICS=off', async () => {
    const parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY, METRICS: 'off' });
    try {
      expect((await parley.http().get('/metrics').set(admin)).status).toBe(404);
    } finally {
      await parley.stop();
    }
  });
});

/** What is written to stdout from now on, instead of the terminal, until `spy.mockRestore()`. */
function captureStdout(): { stdout: string[]; spy: jest.SpyInstance } {
  const stdout: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write);
  return { stdout, spy };
}

describe('logs through pino', () => {
  it('puts the request id and the correlation id on every line logged while a request is served, and no number in clear', async () => {
    const { stdout, spy } = captureStdout();
    const parley = await ParleyHarness.start({ LOG_LEVEL: 'debug' });
    try {
      const number = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const created = await parley.http().post('/v1/accounts').set('X-Correlation-Id', 'signup-42').send({ phone: number, nickname: 'Padmé' }).expect(201);
      const lines = stdout
        .join('')
        .split('\n')
        .filter((line) => line.includes('signup-42'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      // The code sender's line (inside the handler) and the request line (after the answer).
      const contexts = lines.map((line) => line['context']);
      expect(contexts).toEqual(expect.arrayContaining(['verification-codes', 'http']));
      for (const line of lines) {
        expect(line).toMatchObject({ correlationId: 'signup-42', reqId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        expect(typeof line['time']).toBe('string');
        expect(typeof line['level']).toBe('string');
      }
      expect(new Set(lines.map((line) => line['reqId'])).size).toBe(1);
      expect(created.headers['x-correlation-id']).toBe('signup-42');
      expect(stdout.join('')).not.toContain(number.slice(1));
    } finally {
      await parley.stop();
      spy.mockRestore();
    }
  });

  it('names the request on the line of a failure the error filter logs (out of storage space)', async () => {
    const { stdout, spy } = captureStdout();
    // The writer's own connection, so that its max_page_count binds (as in storage-full.e2e.spec.ts).
    const parley = await ParleyHarness.start({ SQLITE_WRITER: 'inline' });
    try {
      const alice = await parley.user('alice');
      const room = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Full', participants: [] }).expect(201)).body.id as string;
      const db = (parley.app.get(RAW_EVENT_STORE) as unknown as { db: { pragma(sql: string, options?: object): unknown } }).db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      let status = 201;
      for (let i = 0; i < 2000 && status === 201; i++) {
        const res = await parley.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).set('X-Correlation-Id', `fill-${i}`).send({ text: `filling ${i} ${'x'.repeat(2000)}` });
        status = res.status;
      }
      expect(status).toBe(507);
      const lines = stdout
        .join('')
        .split('\n')
        .filter((line) => line.includes('out of storage space'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ context: 'http', level: 'error', correlationId: expect.stringMatching(/^fill-\d+$/), reqId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      db.pragma('max_page_count = 1073741823');
    } finally {
      await parley.stop();
      spy.mockRestore();
    }
  });
});
