import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../libs/event-store/sqlite-event-store';
import { checkpointName } from '../libs/projection/projection';
import { Projector } from '../libs/projection/projector';
import type { ReadStore } from '../libs/read-store/read-store.port';
import { SqliteReadStore } from '../libs/read-store/sqlite-read-store';
import { parleyProjections } from '../projections';
import { writeSyntheticLog } from './support/synthetic-log';

const root = join(__dirname, '..');

function startProjector(dataDir: string): ChildProcess {
  return spawn(process.execPath, ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'projector', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      EVENT_STORE_URL: `sqlite:${join(dataDir, 'events.db')}`,
      READ_STORE_URL: `sqlite:${join(dataDir, 'read.db')}`,
      PROJECTOR_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function lowestCheckpoint(readStore: ReadStore): Promise<bigint | null> {
  let lowest: bigint | null = null;
  for (const projection of parleyProjections) {
    const value = await readStore.getCheckpoint(checkpointName(projection));
    if (value === null) return null;
    if (lowest === null || BigInt(value) < lowest) lowest = BigInt(value);
  }
  return lowest;
}

async function dump(readStore: ReadStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const projection of parleyProjections) {
    for (const collection of projection.collections) {
      out[collection.name] = await readStore.find(collection.name, { sort: [{ field: 'id', direction: 'asc' }] });
    }
  }
  return out;
}

const until = async (what: string, check: () => Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('projector killed mid-batch', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes after SIGKILL and ends with the read models of a clean rebuild', async () => {
    const events = new SqliteEventStore({ file: join(dataDir, 'events.db'), synchronous: 'normal' });
    await writeSyntheticLog(events, { users: 40, rooms: 30, membersPerRoom: 4, comments: 12_000, batch: 200 });
    const head = (await events.headPosition())!;

    const observer = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    const first = startProjector(dataDir);
    children.push(first);
    // Kill it while it is projecting: some batches committed, the log not finished.
    await until('first checkpoint', async () => {
      const position = await lowestCheckpoint(observer).catch(() => null);
      return position !== null && position > 0n;
    });
    const killedAt = await lowestCheckpoint(observer);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(killedAt).not.toBeNull();
    expect(killedAt! < head).toBe(true);

    const second = startProjector(dataDir);
    children.push(second);
    await until('projector to reach the head', async () => (await lowestCheckpoint(observer)) === head);
    second.kill('SIGTERM');
    const code = await new Promise((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    // This connection opened the file before the projector made the tables.
    await observer.ensureCollections(parleyProjections.flatMap((p) => p.collections));
    const resumed = await dump(observer);
    await observer.close();

    const clean = new SqliteReadStore({ file: join(dataDir, 'clean.db') });
    await new Projector(events, clean, parleyProjections, { batchSize: 700 }).rebuild();
    const rebuilt = await dump(clean);
    await clean.close();
    await events.close();

    expect(resumed['timeline']!.length).toBeGreaterThan(12_000);
    for (const name of Object.keys(rebuilt)) expect({ name, docs: resumed[name] }).toEqual({ name, docs: rebuilt[name] });
  }, 180_000);
});
