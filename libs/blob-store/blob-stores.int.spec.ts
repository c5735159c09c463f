import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { blobStoreConformance } from './conformance/blob-store.conformance';
import { DiskBlobStore } from './disk-blob-store';
import { GridFsBlobStore } from './gridfs-blob-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-blobs-'));
let roots = 0;
const nextRoot = (): string => join(dir, `store-${++roots}`, 'media');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

blobStoreConformance('DiskBlobStore', async () => new DiskBlobStore(nextRoot()));

describe('DiskBlobStore on files', () => {
  it('leaves no temporary file behind a put, and clears those a crash left at the next start', async () => {
    const root = nextRoot();
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'half-written'), 'a crash left this');
    const store = new DiskBlobStore(root);
    const { address } = await store.put(Buffer.from('whole'));
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(existsSync(join(root, address.slice(0, 2), address.slice(2, 4), address))).toBe(true);
  });

  it('a second store on the same directory reads what the first wrote', async () => {
    const root = nextRoot();
    const { address } = await new DiskBlobStore(root).put(Buffer.from('kept across a restart'));
    expect(await new DiskBlobStore(root).stat(address)).toEqual({ address, size: 21 });
  });
});

const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
const withServer = runtime ? describe : describe.skip;
if (!runtime) {
  console.log(
    `[parley] MongoDB GridFS blob store conformance skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`,
  );
}

withServer('GridFsBlobStore on MongoDB 7 (testcontainers)', () => {
  let container: StartedTestContainer | undefined;
  let url = '';
  let databases = 0;

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer('mongo:7')
      .withExposedPorts(27017)
      .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
      .withStartupTimeout(120_000)
      .start();
    url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  blobStoreConformance('GridFsBlobStore', async () => new GridFsBlobStore({ url, database: `parley_media_${++databases}` }));
});
