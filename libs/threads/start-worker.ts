import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker thread `<dir>/<name>`: the compiled `.js` when Parley runs
 * built, the `.ts` source through Parley's source loader when it runs from
 * source (tests, and the API started by tests as a child process).
 */
export function startWorker(dir: string, name: string, workerData: unknown): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(join(dir, `${name}.js`), { workerData });
  const register = join(__dirname, 'ts-source-register.js');
  const entry = join(dir, `${name}.ts`);
  return new Worker(`require(${JSON.stringify(register)});\nrequire(${JSON.stringify(entry)});`, {
    eval: true,
    workerData,
  });
}

/**
 * Starts the child process `<dir>/<name>` with an IPC channel that carries
 * Buffers (structured clone), the compiled `.js` or the `.ts` source as
 * `startWorker` does. The child's output goes to the parent's.
 */
export function startProcess(dir: string, name: string): ChildProcess {
  const source = __filename.endsWith('.ts');
  return fork(join(dir, `${name}.${source ? 'ts' : 'js'}`), [], {
    serialization: 'advanced',
    execArgv: source ? ['-r', join(__dirname, 'ts-source-register.js')] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** An error as it crosses a thread boundary: its class name, message and own fields. */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export function toThreadError(error: unknown): ThreadError {
  // Not `instanceof Error`: an error made in another realm (a native module's, a vm context's) fails it.
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error), fields: {} };
  const { name, message } = error as { name?: unknown; message?: unknown };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value !== 'function') fields[key] = value;
  }
  return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(error), fields };
}
