import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { jobFileStoreConformance } from './conformance/job-file-store.conformance';
import { DiskJobFileStore } from './disk-job-file-store';
import { GridFsJobFileStore } from './gridfs-job-file-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-job-files-'));
let places = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

jobFileStoreConformance('DiskJobFileStore', () => {
  const root = join(dir, `data-${++places}`);
  return async () => new DiskJobFileStore(root);
});

const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
const withServer = runtime ? describe : describe.skip;
if (!runtime) {
  console.log(
    `[parley] MongoDB GridFS job file store conformance skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`,
  );
}

withServer('GridFsJobFileStore on MongoDB 7 (testcontainers)', () => {
  let container: StartedTestContainer | undefined;
  let url = '';

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

  jobFileStoreConformance('GridFsJobFileStore', () => {
    const database = `parley_job_files_${++places}`;
    return async () => new GridFsJobFileStore({ url, database });
  });
});
