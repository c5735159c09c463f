import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ParleyHarness } from './support/parley-app';

/*
 * Several API processes on the embedded profile sharing one DATA_DIR: refused
 * with a message that says why and what to do, never silently wrong (caches,
 * rate limits and the comment sequencer's tails are per process).
 */
describe('a second API process on one DATA_DIR', () => {
  let dir: string;
  let first: ParleyHarness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-two-'));
    first = await ParleyHarness.start({}, dir);
  });

  afterAll(async () => {
    await first.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused in the same host while the first serves it, naming the file and the way out', async () => {
    await expect(ParleyHarness.start({}, dir)).rejects.toThrow(/already served by another Parley API process.*one API process per DATA_DIR.*EventStoreDB \+ MongoDB/s);
    // The first one goes on serving.
    const user = await first.user('still');
    expect(user.id).toEqual(expect.any(String));
  });

  it('is refused as a real second process too, which exits 2 with the message', async () => {
    const main = join(__dirname, '..', 'apps', 'api', 'main.ts');
    const outcome = await promisify(execFile)(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), main], {
      env: { ...process.env, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' },
      timeout: 120_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/already served by another Parley API process/);
  }, 150_000);

  it('is taken over once the first stopped', async () => {
    const other = mkdtempSync(join(tmpdir(), 'parley-two-'));
    try {
      const a = await ParleyHarness.start({}, other);
      await a.stop();
      const b = await ParleyHarness.start({}, other);
      await b.stop();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
