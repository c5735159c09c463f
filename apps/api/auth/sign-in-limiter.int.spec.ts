import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedMutex } from '../../../libs/command-pipeline/keyed-mutex';
import { loadConfig } from '../../../libs/config/config';
import { unauthenticated } from '../../../libs/domain/errors';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { SIGN_IN_ATTEMPTS, SignInLimiter } from './sign-in-limiter';

describe('failed sign-ins counted by several API processes at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sign-in-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given two API processes sharing a read store, when an account fails 24 times at once across both, then every failure is counted', async () => {
    const config = loadConfig({ DATA_DIR: dir, SIGN_IN_MAX_FAILURES: '1000', SIGN_IN_ADDRESS_MAX_FAILURES: '1000' });
    const memory = new MemoryReadStore();
    // A networked store answers later: each call returns after other requests have run.
    const shared = new Proxy(memory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    // Each process has its own in-process mutex: only the read store is shared.
    const processes = [new SignInLimiter(shared, config, new KeyedMutex()), new SignInLimiter(shared, config, new KeyedMutex())];
    const wrongPassword = async (): Promise<never> => {
      // The credentials check takes a moment, as a password hash does.
      await new Promise((resolve) => setImmediate(resolve));
      throw unauthenticated('AUTH.INVALID_CREDENTIALS', 'wrong password');
    };
    const attempts = Array.from({ length: 24 }, (_, i) =>
      processes[i % 2]!.attempt({ account: 'password:alice', address: `10.0.0.${i % 3}` }, wrongPassword).catch((error: unknown) => error),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.every((error) => (error as { code?: string }).code === 'AUTH.INVALID_CREDENTIALS')).toBe(true);
    const counts = (await memory.find(SIGN_IN_ATTEMPTS, {})).map((doc) => Number(doc['failures'])).sort((a, b) => a - b);
    // One account and three addresses: 24 failures each way.
    expect(counts).toEqual([8, 8, 8, 24]);
  });
});
