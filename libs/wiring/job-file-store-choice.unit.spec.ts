import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskJobFileStore } from '../blob-store/disk-job-file-store';
import { GridFsJobFileStore } from '../blob-store/gridfs-job-file-store';
import { loadConfig } from '../config/config';
import { createJobFileStore } from './stores';

describe('where export and import jobs keep their files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-job-file-choice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given the production profile (MongoDB read store), when the API opens its job files, then they are in GridFS, not on the container disk', async () => {
    const config = loadConfig({
      DATA_DIR: dir,
      EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false',
      READ_STORE_URL: 'mongodb://parley:pw@mongo:27017/parley?replicaSet=rs0&authSource=admin',
      JWT_SECRET: 'x'.repeat(48),
      PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    const files = createJobFileStore(config);
    try {
      expect(files).toBeInstanceOf(GridFsJobFileStore);
    } finally {
      await files.close();
    }
  });

  it('given the embedded profile, when the API opens its job files, then they are under DATA_DIR', async () => {
    const files = createJobFileStore(loadConfig({ DATA_DIR: dir }));
    expect(files).toBeInstanceOf(DiskJobFileStore);
    await files.put('exports/choice.json', Buffer.from('[]'));
    expect((await files.stat('exports/choice.json'))?.size).toBe(2);
    await files.close();
  });
});
