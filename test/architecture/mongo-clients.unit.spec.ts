import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type GridFsBlobStore } from '../../libs/blob-store/gridfs-blob-store';
import { type GridFsJobFileStore } from '../../libs/blob-store/gridfs-job-file-store';
import { loadConfig } from '../../libs/config/config';
import { MongoConnection } from '../../libs/mongo/mongo-connection';
import { type MongoKeyStore } from '../../libs/personal-data/mongo-key-store';
import { type MongoReadStore } from '../../libs/read-store/mongo-read-store';
import { createBlobStore, createJobFileStore, createKeyStore, createReadStore } from '../../libs/wiring/stores';

/**
 * Every MongoDB user of Parley (read store, media and job files in GridFS,
 * personal-data keys) opens its client through libs/mongo/mongo-connection.ts,
 * so each gets the same timeouts, deadline and 503 mapping. A fifth user
 * written with its own `new MongoClient` fails here.
 */

const ROOT = join(__dirname, '..', '..');
const FACTORY = 'libs/mongo/mongo-connection.ts';

function sources(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sources(path));
    // Specs may open a raw client to look at what an adapter stored.
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

type Adapter = MongoReadStore | MongoKeyStore | GridFsBlobStore | GridFsJobFileStore;
const connectionOf = (adapter: Adapter): MongoConnection => (adapter as unknown as { mongo: MongoConnection }).mongo;

describe('MongoDB clients', () => {
  it('are created only by the one factory', () => {
    const creators = ['apps', 'libs', 'projections', 'bench', 'test']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .filter((file) => /new\s+MongoClient\s*[(<]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(creators).toEqual([FACTORY]);
  });

  it("given the production profile's configuration, when the API opens each MongoDB store, then each gets the factory's deadline and timeouts", async () => {
    const config = loadConfig({
      EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false',
      READ_STORE_URL: 'mongodb://parley:pw@mongo:27017/parley?replicaSet=rs0&authSource=admin',
      JWT_SECRET: 'x'.repeat(48),
      PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
      MONGODB_DEADLINE_MS: '1234',
    });
    const adapters = [createReadStore(config), createKeyStore(config), createBlobStore(config), createJobFileStore(config)];
    try {
      expect(adapters.map((adapter) => adapter.constructor.name)).toEqual(['MongoReadStore', 'MongoKeyStore', 'GridFsBlobStore', 'GridFsJobFileStore']);
      for (const adapter of adapters) {
        const connection = connectionOf(adapter as Adapter);
        expect(connection).toBeInstanceOf(MongoConnection);
        expect(connection.deadlineMs).toBe(1234);
        expect(connection.client.options).toMatchObject({ serverSelectionTimeoutMS: 1234, connectTimeoutMS: 1234, waitQueueTimeoutMS: 1234 });
      }
      expect(adapters.map((adapter) => connectionOf(adapter as Adapter).monitor.store)).toEqual([
        'MongoDB',
        'MongoDB (personal-data keys)',
        'MongoDB (media)',
        'MongoDB (job files)',
      ]);
    } finally {
      await Promise.all(adapters.map((adapter) => adapter.close()));
    }
  });

  it('take their deadline from STORE_DEADLINE_MS unless MONGODB_DEADLINE_MS is set, and refuse a bad one naming it', () => {
    const production = {
      EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false',
      READ_STORE_URL: 'mongodb://mongo:27017/parley?replicaSet=rs0',
      JWT_SECRET: 'x'.repeat(48),
      PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    expect(loadConfig(production).mongoDeadlineMs).toBe(10_000);
    expect(loadConfig({ ...production, STORE_DEADLINE_MS: '4000' }).mongoDeadlineMs).toBe(4000);
    expect(loadConfig({ ...production, STORE_DEADLINE_MS: '4000', MONGODB_DEADLINE_MS: '2500' }).mongoDeadlineMs).toBe(2500);
    expect(() => loadConfig({ ...production, MONGODB_DEADLINE_MS: 'soon' })).toThrow(/MONGODB_DEADLINE_MS/);
    expect(() => loadConfig({ ...production, MONGODB_DEADLINE_MS: '5' })).toThrow(/MONGODB_DEADLINE_MS/);
  });
});
