import { fork } from 'node:child_process';
import { trackChild } from './common';

/** What a phase process reports to its parent. */
export type PhaseMessage = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Runs one phase of a benchmark in a fresh Node process (`file --phase <name>
 * ...args`, with --expose-gc for heap readings) and resolves with what it
 * reports. A phase that outlives `timeoutMs` is killed.
 */
export function runPhase<T>(file: string, phase: string, args: readonly string[], timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(file, ['--phase', phase, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    trackChild(child);
    let answer: PhaseMessage | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (message: PhaseMessage) => {
      answer = message;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const got = answer as PhaseMessage | null;
      if (got?.ok) resolve(got.result as T);
      else reject(new Error(got ? got.error : `${phase} phase exited (code ${code}, signal ${signal}) without an answer`));
    });
  });
}

/** In the phase process: runs the phase, reports its result or error to the parent, then exits. */
export async function reportPhase(
  run: () => unknown,
  describeError: (error: unknown) => string = (error) =>
    error instanceof Error ? (error.stack ?? error.message) : String(error),
): Promise<void> {
  let message: PhaseMessage;
  try {
    message = { ok: true, result: await run() };
  } catch (error) {
    message = { ok: false, error: describeError(error) };
  }
  process.send?.(message, () => process.exit(0));
}
