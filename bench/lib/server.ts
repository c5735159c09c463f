import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { trackChild } from './common';

export interface ServerHandle {
  readonly label: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Last lines the server printed (for diagnosis). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface StartOptions {
  readonly label: string;
  readonly script: string;
  /** Full environment of the child; PORT and HOST are set here. */
  readonly env: NodeJS.ProcessEnv;
  /** A line of stdout that says the server listens. */
  readonly ready?: RegExp;
  readonly startTimeoutMs?: number;
}

/** Starts a Node HTTP server as a child process on 127.0.0.1 and waits until it says it listens. */
export async function startServer(options: StartOptions): Promise<ServerHandle> {
  const port = await freePort();
  const ready = options.ready ?? /listening/i;
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the servers a bench starts.
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, options.script], {
    env: { ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label} did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${tail}`));
    }, options.startTimeoutMs ?? 30_000);
    const onOut = () => {
      if (ready.test(tail)) {
        clearTimeout(timer);
        child.stdout.off('data', onOut);
        resolve();
      }
    };
    child.stdout.on('data', onOut);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited (${JSON.stringify(exited)}) before listening:\n${tail}`));
    });
  });

  return {
    label: options.label,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    output: () => tail,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}
