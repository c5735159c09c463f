import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ParleyHarness } from './support/parley-app';

const root = join(__dirname, '..');

function cli(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function blobFiles(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'tmp') walk(path);
      } else found.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return found;
}

describe('parley export-media / verify / import-media: the blob store backed up with a SHA-256 manifest', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-media-archive-'));
  const source = join(work, 'source');
  const target = join(work, 'target');
  const archive = join(work, 'archive');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exports the sealed blobs, verify checks them, import restores them byte for byte and refuses a damaged archive', async () => {
    const h = await ParleyHarness.start({}, source);
    try {
      const alice = await h.user('alice');
      for (const text of ['first file\n', 'second file\n']) {
        await h.http().post('/v1/media').set(alice.auth).send({ data: Buffer.from(text).toString('base64') }).expect(201);
      }
    } finally {
      await h.stop();
    }
    const exported = cli(source, 'export-media', '--out', archive);
    expect({ status: exported.status, stdout: exported.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('exported 2 blobs') });
    expect(cli(source, 'verify', archive).stdout).toMatch(/^OK: 2 blobs/);

    const imported = cli(target, 'import-media', archive);
    expect(imported.stdout).toContain('imported 2 blobs, 0 already present');
    expect(blobFiles(join(target, 'media'))).toEqual(blobFiles(join(source, 'media')));

    const [first] = readdirSync(join(archive, 'blobs'));
    writeFileSync(join(archive, 'blobs', first!), 'damaged');
    const verify = cli(source, 'verify', archive);
    expect({ status: verify.status, stdout: verify.stdout }).toEqual({ status: 1, stdout: expect.stringMatching(/^FAILED: manifest line \d+: blobs\/[0-9a-f]{64} /) });
    expect(cli(join(work, 'other'), 'import-media', archive)).toMatchObject({ status: 1, stdout: expect.stringContaining('REFUSED') });
  }, 600_000);
});
