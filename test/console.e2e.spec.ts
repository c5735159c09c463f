import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { verifyLog } from '../libs/streaming/log-codec';
import { fileLines } from '../libs/streaming/log-transfer';
import { ParleyHarness, type TestUser } from './support/parley-app';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');
const ADMIN_KEY = 'console-admin-key-0123456789abcdef';
const admin = { 'X-Api-Key': ADMIN_KEY };

if (!existsSync(CHROMIUM)) process.stdout.write(`[parley] no Chromium at ${CHROMIUM}: the console's browser tests skip\n`);
const inChromium = existsSync(CHROMIUM) ? describe : describe.skip;

/** What `parley verify` prints for a file, without its events/s. */
async function cliVerdict(file: string): Promise<string> {
  const result = await verifyLog(fileLines(file), undefined, { integrityOnly: true });
  if (!result.ok) return `FAILED: line ${result.line}: ${result.reason}`;
  return `OK: ${result.count} events, positions ${result.firstPosition ?? '-'}..${result.lastPosition ?? '-'}, final hash ${result.finalHash}`;
}

inChromium('the audit console in a real headless Chromium', () => {
  let parley: ParleyHarness;
  let base: string;
  let browser: Browser;
  let page: Page;
  let auditKey: string;
  let alice: TestUser;
  let roomId: string;
  let createdAt: string;
  const requested: string[] = [];
  let workersStarted = 0;
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'parley-console-'));

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY });
    base = await parley.listen();
    alice = await parley.user('alice', 'Alice');
    const bob = await parley.user('bob', 'Bob');
    const room = await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Old name', participants: [bob.id] }).expect(201);
    roomId = room.body.id;
    createdAt = room.body.position;
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'first words' }).expect(201);
    await parley.http().patch(`/v1/rooms/${roomId}`).set(alice.auth).set('X-Correlation-Id', 'rename-1').send({ name: 'New name' }).expect(200);
    auditKey = (await parley.http().post('/v1/admin/api-keys').set(admin).send({ name: 'Auditor', scopes: ['admin:audit'] }).expect(201)).body.key;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('worker', () => workersStarted++);
    // A Content-Security-Policy violation, a failed script or an uncaught error shows here.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
  });
  afterAll(async () => {
    await browser?.close();
    await parley?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an invalid key and signs in with a valid one, keeping it in session storage only', async () => {
    await page.goto(`${base}/console`);
    await page.fill('#api-key', 'pk_00000000000000000000000000000000_not-a-key');
    await page.click('#sign-in-form button[type="submit"]');
    await page.locator('#sign-in-error').filter({ hasText: 'not valid' }).waitFor();
    await shot('sign-in-refused');

    await page.fill('#api-key', auditKey);
    await page.click('#sign-in-form button[type="submit"]');
    await page.locator('tr.event-row').first().waitFor();
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    expect(await page.evaluate("sessionStorage.getItem('parley.console.apiKey')")).toBe(auditKey);
    expect(await page.evaluate('localStorage.length + document.cookie.length')).toBe(0);
    expect(page.url()).not.toContain(auditKey);
  });

  it('filters the log, opens an envelope with secrets and sealed fields shown as such, and follows a correlation id', async () => {
    await page.goto(`${base}/console/log`);
    await page.fill('#filter-types', 'UserRegistered');
    await page.click('form.filters button[type="submit"]');
    await page.locator('#main p.status').filter({ hasText: '2 events shown' }).waitFor();
    expect(await page.locator('tr.event-row td:nth-child(3)').allTextContents()).toEqual(['UserRegistered', 'UserRegistered']);
    await page.locator('tr.event-row').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#envelope h3').filter({ hasText: 'UserRegistered' }).waitFor();
    const data = await page.locator('#envelope pre[aria-label="Event data"]').textContent();
    expect(data).toContain('«secret, redacted»');
    expect(data).toContain('«sealed personal data»');
    expect(data).not.toMatch(/scrypt|pii:v1:/);
    await shot('log-envelope');

    await page.goto(`${base}/console/log?correlationId=rename-1`);
    await page.locator('tr.event-row').first().waitFor();
    expect(await page.locator('tr.event-row td:nth-child(3)').allTextContents()).toEqual(['RoomRenamed']);
    await page.locator('tr.event-row').first().click();
    await page.click('#follow-correlation');
    await page.locator('#main p.status').filter({ hasText: '1 events shown' }).waitFor();
    expect(page.url()).toBe(`${base}/console/log?correlationId=rename-1`);
  });

  it('follows the log as it grows (live tail)', async () => {
    await page.goto(`${base}/console/log`);
    await page.locator('tr.event-row').first().waitFor();
    await page.check('#live-tail');
    const posted = await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'live one' }).expect(201);
    await page.locator(`tr.event-row[data-position="${posted.body.position}"]`).waitFor();
    await page.uncheck('#live-tail');
  });

  it('slides a room through time: the old name at its creation, the new one at the end; the deep link reproduces the view', async () => {
    await page.goto(`${base}/console/rooms/${roomId}?at=${createdAt}`);
    await page.locator('#room-name').filter({ hasText: 'Old name' }).waitFor();
    expect(await page.locator('ol[aria-label="Comments"] li').count()).toBe(0);
    await shot('room-early');

    const max = await page.locator('#position-slider').getAttribute('max');
    await page.locator('#position-slider').fill(max!);
    await page.locator('#room-name').filter({ hasText: 'New name' }).waitFor();
    expect(await page.locator('#room-name').getAttribute('class')).toBe('changed');
    await shot('room-latest');

    const link = page.url();
    expect(link).toMatch(new RegExp(`/console/rooms/${roomId}\\?at=\\d+$`));
    await page.goto(link);
    await page.locator('#room-name').filter({ hasText: 'New name' }).waitFor();
  });

  it('verifies an export in the browser as the CLI does, and names the first broken line of a changed file', async () => {
    await parley.settled();
    const exported = await parley.http().get('/v1/admin/events').set(admin).buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    }).expect(200);
    const good = join(dir, 'backup.ndjson');
    writeFileSync(good, exported.body as string);
    const expected = await cliVerdict(good);
    expect(expected).toMatch(/^OK: \d+ events/);

    await page.goto(`${base}/console/verify`);
    await page.setInputFiles('#export-file', good);
    await page.locator('#verify-result[data-ok]').waitFor();
    expect(await page.locator('#verify-result').textContent()).toMatch(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ events/s\\)$`));
    await page.click('#compare-live');
    await page.locator('#compare-result.ok').waitFor();
    await shot('verify-ok');

    const gz = join(dir, 'backup.ndjson.gz');
    writeFileSync(gz, gzipSync(exported.body as string));
    await page.setInputFiles('#export-file', gz);
    await page.locator('#verify-result[data-ok="true"]').waitFor();

    const lines = (exported.body as string).split('\n');
    const target = 4; // a line number (1-based): an event line inside the file
    lines[target - 1] = lines[target - 1]!.replace('"revision":', '"revision": ');
    const bad = join(dir, 'tampered.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const refused = await cliVerdict(bad);
    expect(refused).toBe(`FAILED: line ${target}: hash chain broken here: this line, or one before it, was changed, dropped, inserted or moved`);
    await page.setInputFiles('#export-file', bad);
    await page.locator('#verify-result[data-ok="false"]').waitFor();
    expect(await page.locator('#verify-result').textContent()).toBe(refused);
    await shot('verify-broken');
  });

  /** The log's export as the admin API serves it. */
  const exportNow = async (): Promise<string> => {
    await parley.settled();
    const exported = await parley.http().get('/v1/admin/events').set(admin).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    }).expect(200);
    return exported.body as string;
  };

  /** `verifyExport` in the page for each file, in order on the page's thread and with two workers over byte ranges. */
  const verdictsInPage = async (files: readonly Buffer[]): Promise<{ inOrder: string; workers: string }[]> =>
    (await page.evaluate(`(async () => {
      const { verifyExport, describeResult } = await import('/console/assets/verify-core.js');
      const out = [];
      for (const base64 of ${JSON.stringify(files.map((file) => file.toString('base64')))}) {
        const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]);
        out.push({
          inOrder: describeResult(await verifyExport(blob, { threads: 1 })),
          workers: describeResult(await verifyExport(blob, { threads: 2, minParallelBytes: 0 })),
        });
      }
      return out;
    })()`)) as { inOrder: string; workers: string }[];

  it('verifies with Web Workers over byte ranges as the CLI does with threads, and a file changed anywhere gets the CLI\'s verdict', async () => {
    // Multi-byte text, and a U+FFFD the CLI also reads back from an invalid byte.
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'héllo 😀 wörld' }).expect(201);
    await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: 'replaced \uFFFD here' }).expect(201);
    for (let i = 0; i < 12; i++) await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: `more ${i}` }).expect(201);
    const text = await exportNow();
    const good = Buffer.from(text, 'utf8');
    const lines = text.split('\n');
    const events = lines.length - 3; // header, trailer, and the empty piece after the last newline
    const withLines = (change: (copy: string[]) => void) => {
      const copy = [...lines];
      change(copy);
      return Buffer.from(copy.join('\n'), 'utf8');
    };
    const at = (needle: string) => good.indexOf(Buffer.from(needle, 'utf8'));
    const variants: Buffer[] = [
      good,
      withLines((copy) => (copy[events] = copy[events]!.replace('"revision":', '"revision": '))), // the last event line
      withLines((copy) => (copy[Math.floor(events * 0.75)] = copy[Math.floor(events * 0.75)]!.replace('"type":"', '"type":"X'))),
      withLines((copy) => copy.splice(Math.floor(events / 2), 1)), // a line dropped
      withLines((copy) => ([copy[5], copy[6]] = [copy[6]!, copy[5]!])), // two lines swapped
      withLines((copy) => copy.splice(events - 2, 0, '')), // an empty line
      withLines((copy) => copy.splice(events + 1, 0, copy[3]!)), // a line after the trailer's place
      withLines((copy) => (copy[events + 1] = copy[events + 1]!.replace('"count":', '"count":1'))), // the trailer
      withLines((copy) => (copy[0] = copy[0]!.replace('parley-log/1', 'parley-log/2'))), // the header
      Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'), // CRLF line ends: still valid
      Buffer.concat([good.subarray(0, at('"revision":') + 3), Buffer.from('\r'), good.subarray(at('"revision":') + 3)]), // a lone CR
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]), // a byte-order mark
      Buffer.concat([good.subarray(0, at('héllo')), Buffer.from([0xff]), good.subarray(at('héllo') + 1)]), // invalid UTF-8
      Buffer.concat([good.subarray(0, at('\uFFFD')), Buffer.from([0xff]), good.subarray(at('\uFFFD') + 3)]), // U+FFFD written as an invalid byte
      Buffer.concat([good.subarray(0, at('😀') + 2), good.subarray(at('😀') + 4)]), // a character cut short
      good.subarray(0, Math.floor(good.length * 0.6)), // truncated
    ];
    const files = variants.map((bytes, i) => {
      const file = join(dir, `variant-${i}.ndjson`);
      writeFileSync(file, bytes);
      return file;
    });
    const expected = await Promise.all(files.map((file) => cliVerdict(file)));
    expect(expected[0]).toMatch(/^OK: \d+ events/);
    expect(expected[9]).toBe(expected[0]);
    expect(expected[13]).toBe(expected[0]);
    expect(expected.filter((verdict) => verdict.startsWith('FAILED: line '))).toHaveLength(variants.length - 3);

    await page.goto(`${base}/console/verify`);
    const workersBefore = workersStarted;
    const verdicts = await verdictsInPage(variants);
    expect(verdicts).toEqual(expected.map((verdict) => ({ inOrder: verdict, workers: verdict })));
    // The file that verifies was checked by workers, not by the fallback in order.
    expect(workersStarted - workersBefore).toBeGreaterThanOrEqual(2);
  });

  it("browses a stream's events", async () => {
    await page.goto(`${base}/console/streams/room-${roomId}`);
    await page.locator('ol[aria-label="Stream events"] li').first().waitFor();
    expect(await page.locator('ol[aria-label="Stream events"] summary').first().textContent()).toMatch(/^RoomCreated/);
    await shot('streams');
  });

  it("shows a removed user's profile history with the fact of erasure, never the erased values", async () => {
    const carol = await parley.user('carol', 'Carol Erasable');
    await parley.http().patch('/v1/me').set(carol.auth).send({ displayName: 'Carol Renamed' }).expect(200);
    await parley.http().post('/v1/me/remove').set(carol.auth).send({ feedback: 'leaving' }).expect(200);
    await parley.settled();
    await page.goto(`${base}/console/streams/user-${carol.id}`);
    await page.locator('#main p.status').filter({ hasText: 'This user was removed' }).waitFor();
    const summaries = await page.locator('ol[aria-label="Stream events"] summary').allTextContents();
    expect(summaries.map((text) => text.split(' ')[0])).toEqual(expect.arrayContaining(['UserRegistered', 'UserRemoved']));
    const shown = (await page.locator('#main').textContent()) ?? '';
    expect(shown).not.toContain('Carol Erasable');
    expect(shown).not.toContain('Carol Renamed');
    await shot('streams-erased');
  });

  it('asked no host but Parley for anything, and broke no rule of its Content-Security-Policy', () => {
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => !url.startsWith(`${base}/`))).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the console page', () => {
  let parley: ParleyHarness;
  beforeAll(async () => {
    parley = await ParleyHarness.start();
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('is served with a strict Content-Security-Policy, also on deep links, and serves only its own files', async () => {
    for (const path of ['/console', '/console/rooms/6f1c2f7e-9a55-4a8e-bb0a-1b2c3d4e5f60', '/console/log']) {
      const page = await parley.http().get(path).expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(page.text).not.toMatch(/https?:\/\//);
    }
    const script = await parley.http().get('/console/assets/verify-core.js').expect(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await parley.http().get('/console/assets/..%2Fapp.module.ts')).status).toBe(404);
    expect((await parley.http().get('/console/assets/secrets.js')).body).toMatchObject({ statusCode: 404, code: 'CONSOLE.NOT_FOUND' });
  });
});

describe("the console's reads: the log in pages and a room's changes", () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let roomId: string;
  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: ADMIN_KEY });
    alice = await parley.user('alice', 'Alice');
    const bob = await parley.user('bob', 'Bob');
    roomId = (await parley.http().post('/v1/rooms').set(alice.auth).send({ name: 'Paged', participants: [bob.id] }).expect(201)).body.id;
    for (let i = 0; i < 5; i++) await parley.http().post(`/v1/rooms/${roomId}/comments`).set(alice.auth).send({ text: `c${i}` }).expect(201);
    await parley.http().patch(`/v1/rooms/${roomId}`).set(alice.auth).send({ topic: 'Later' }).expect(200);
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('pages through the whole log with next, each event once and in order', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await parley.http().get('/v1/admin/audit/events').query({ limit: 3, ...(after ? { after } : {}) }).set(admin).expect(200);
      seen.push(...page.body.items.map((e: { position: string }) => e.position));
      after = page.body.next ?? undefined;
      if (page.body.next === null) {
        expect(page.body.head).toBe(seen[seen.length - 1]);
        break;
      }
    }
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.map(BigInt)).toEqual([...seen.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by actor, stream prefix and position range, and refuses an unknown type naming the field', async () => {
    const mine = await parley.http().get('/v1/admin/audit/events').query({ actor: alice.id, streamPrefix: `comments-${roomId}`, limit: 500 }).set(admin).expect(200);
    expect(mine.body.items).toHaveLength(5);
    const [first, , third] = mine.body.items as { position: string }[];
    const range = await parley.http().get('/v1/admin/audit/events').query({ after: BigInt(first!.position) - 1n + '', to: third!.position, streamPrefix: 'comments-' }).set(admin).expect(200);
    expect(range.body.items.map((e: { position: string }) => e.position)).toEqual(mine.body.items.slice(0, 3).map((e: { position: string }) => e.position));
    expect(range.body.next).toBeNull();
    // A rare type is looked up in the embedded store's index: only its own events are read.
    const rare = await parley.http().get('/v1/admin/audit/events').query({ types: 'RoomTopicChanged,RoomCreated' }).set(admin).expect(200);
    expect(rare.body.items.map((e: { type: string }) => e.type)).toEqual(['RoomCreated', 'RoomTopicChanged']);
    expect(rare.body).toMatchObject({ scanned: 2, next: null });
    const bad = await parley.http().get('/v1/admin/audit/events').query({ types: 'NoSuchThing' }).set(admin).expect(400);
    expect(bad.body).toMatchObject({ code: 'EVENTS.UNKNOWN_TYPE', details: [{ field: 'types', reason: 'unknown event type NoSuchThing' }] });
  });

  it("lists a room's changes oldest first, and answers 404 for a room the log never saw", async () => {
    const changes = await parley.http().get(`/v1/admin/audit/rooms/${roomId}/changes`).set(admin).expect(200);
    const types = changes.body.changes.map((c: { type: string }) => c.type);
    expect(types[0]).toBe('RoomCreated');
    expect(types.filter((t: string) => t === 'CommentPosted')).toHaveLength(5);
    expect(types[types.length - 1]).toBe('RoomTopicChanged');
    const missing = await parley.http().get('/v1/admin/audit/rooms/6f1c2f7e-9a55-4a8e-bb0a-1b2c3d4e5f60/changes').set(admin).expect(404);
    expect(missing.body).toMatchObject({ code: 'ROOM.NOT_FOUND' });
  });
});
