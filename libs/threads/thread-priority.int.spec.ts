import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lowerThreadPriority } from './thread-priority';

/** The nice value of a task (field 19 of its stat line). */
const niceOf = (statPath: string): number => Number(readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[16]);

describe('lowerThreadPriority', () => {
  // Linux only (per-thread nice values, /proc): CI and the production image run on it.
  it('lowers the calling worker thread alone, never the main thread', async () => {
    const mainBefore = niceOf('/proc/thread-self/stat');
    const register = join(__dirname, 'ts-source-register.js');
    const source = join(__dirname, 'thread-priority.ts');
    const worker = new Worker(
      `require(${JSON.stringify(register)});
       const { parentPort } = require('node:worker_threads');
       const { readFileSync } = require('node:fs');
       const nice = () => Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')[16]);
       const before = nice();
       const outcome = require(${JSON.stringify(source)}).lowerThreadPriority(10);
       parentPort.postMessage({ before, outcome, after: nice() });`,
      { eval: true },
    );
    const seen = await new Promise<{ before: number; outcome: string | null; after: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen.outcome).toBeNull();
    expect(seen.after).toBe(Math.max(seen.before, 10));
    expect(niceOf('/proc/thread-self/stat')).toBe(mainBefore);
    expect(niceOf(`/proc/${process.pid}/stat`)).toBe(mainBefore);
  });

  it('leaves the main thread as it is, saying why', () => {
    expect(lowerThreadPriority(10)).toBe('the main thread keeps its priority');
  });
});
