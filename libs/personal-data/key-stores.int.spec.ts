import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { keyStoreConformance } from './conformance/key-store.conformance';
import { MemoryKeyStore } from './memory-key-store';
import { MongoKeyStore } from './mongo-key-store';
import { SqliteKeyStore } from './sqlite-key-store';

const dir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
let files = 0;
const nextFile = (): string => join(dir, `store-${++files}`, 'keys.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

keyStoreConformance('MemoryKeyStore', async () => new MemoryKeyStore());
keyStoreConformance('SqliteKeyStore', async () => new SqliteKeyStore({ file: nextFile() }));

describe('SqliteKeyStore on a file', () => {
  it('keeps keys and tombstones across a reopen', async () => {
    const file = nextFile();
    const first = new SqliteKeyStore({ file });
    await first.putIfAbsent('kept', Buffer.from('wrapped-key-kept'));
    await first.putIfAbsent('gone', Buffer.from('wrapped-key-gone'));
    await first.destroy('gone', '2026-01-01T00:00:00.000Z');
    await first.close();
    const second = new SqliteKeyStore({ file });
    try {
      const found = await second.getMany(['kept', 'gone']);
      expect(found.get('kept')).toEqual({ state: 'active', wrapped: Buffer.from('wrapped-key-kept') });
      expect(found.get('gone')?.state).toBe('destroyed');
    } finally {
      await second.close();
    }
  });

  it('leaves no copy of a destroyed key in the file', async () => {
    const file = nextFile();
    const store = new SqliteKeyStore({ file });
    const marker = Buffer.from('a-wrapped-key-that-must-vanish-0123456789');
    await store.putIfAbsent('u1', marker);
    await store.destroy('u1', '2026-01-01T00:00:00.000Z');
    await store.close();
    const bytes = Buffer.concat([readFileSync(file), ...['-wal'].map((suffix) => readOr(file + suffix))]);
    expect(bytes.includes(marker)).toBe(false);
  });
});

function readOr(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

const runtime = process.env['PARLEY_CONTAINER_RUNTIME'] === 'yes';
const withServer = runtime ? describe : describe.skip;
if (!runtime) {
  console.log(
    `[parley] MongoDB key store conformance skipped: no container runtime (${process.env['PARLEY_CONTAINER_RUNTIME_REASON'] || 'not probed'})`,
  );
}

withServer('MongoKeyStore on MongoDB 7 (testcontainers)', () => {
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

  keyStoreConformance('MongoKeyStore', async () => new MongoKeyStore({ url, database: `parley_keys_${++databases}` }));
});
