import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBlobStore } from '../libs/blob-store/disk-blob-store';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error', MEDIA_SWEEP_INTERVAL_SECONDS: '0' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Bytes in the blob store that no event names: what an upload whose append failed leaves behind. */
async function plantOrphan(dataDir: string, text: string): Promise<{ store: DiskBlobStore; address: string }> {
  const store = new DiskBlobStore(join(dataDir, 'media'));
  const { address } = await store.put(Buffer.from(text));
  return { store, address };
}

describe('sweeping blobs no media names (an upload whose append failed)', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-media-sweep-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('parley sweep-media deletes unnamed blobs older than the grace, keeps younger ones and every named one', async () => {
    const dir = join(work, 'cli');
    const h = await ParleyHarness.start({ MEDIA_SWEEP_INTERVAL_SECONDS: '0' }, dir);
    try {
      const alice = await h.user('alice');
      await h.http().post('/v1/media').set(alice.auth).send({ data: Buffer.from('kept: an event names it\n').toString('base64') }).expect(201);
      await h.settled();
    } finally {
      await h.stop();
    }
    const { store, address } = await plantOrphan(dir, 'left behind by a failed append\n');
    const before = (await store.list(null, 100)).length;

    const young = cli(dir, 'sweep-media', '--grace-seconds', '3600');
    expect({ status: young.status, stdout: young.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('swept 0 unnamed blobs (0 bytes) of 2; 1 unnamed within the grace') });
    expect(await store.stat(address)).not.toBeNull();

    const old = cli(dir, 'sweep-media', '--grace-seconds', '0');
    expect({ status: old.status, stdout: old.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('swept 1 unnamed blobs') });
    expect(await store.stat(address)).toBeNull();
    expect((await store.list(null, 100)).length).toBe(before - 1);

    // What stays is the named upload's blob.
    expect((await store.list(null, 100)).map((blob) => blob.address)).not.toContain(address);
    expect(cli(dir, 'sweep-media', '--grace-seconds', 'soon').status).toBe(2);
    // Three runs of the CLI, each a fresh process compiling TypeScript.
  }, 400_000);

  it('an API process sweeps on its own, under the media-sweep lease, and leaves named blobs alone', async () => {
    const dir = join(work, 'api');
    const h = await ParleyHarness.start({ MEDIA_SWEEP_INTERVAL_SECONDS: '1', MEDIA_SWEEP_GRACE_SECONDS: '0' }, dir);
    try {
      const alice = await h.user('alice');
      const text = Buffer.from('named, so never swept\n');
      const media = (await h.http().post('/v1/media').set(alice.auth).send({ data: text.toString('base64') }).expect(201)).body;
      const { store, address } = await plantOrphan(dir, 'an orphan for the periodic sweep\n');
      // Bounded wait for the sweep to come round; no claim about how soon.
      const deadline = Date.now() + 60_000;
      while ((await store.stat(address)) !== null) {
        if (Date.now() > deadline) throw new Error('the periodic sweep never removed the unnamed blob');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const back = await h.http().get(media.url).set(alice.auth).set('X-Min-Position', media.position).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(back.status).toBe(200);
      expect(back.body).toEqual(text);
    } finally {
      await h.stop();
    }
  }, 120_000);
});
