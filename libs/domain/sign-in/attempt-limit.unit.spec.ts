import { afterFailure, lockedForSeconds, tooManyAttempts, type AttemptPolicy, type AttemptRecord } from './attempt-limit';

const policy: AttemptPolicy = { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 10, maxLockoutSeconds: 100 };
const T0 = 1_700_000_000_000;
const s = (seconds: number) => T0 + seconds * 1000;

const fail = (times: number, record: AttemptRecord | null = null, at = T0): AttemptRecord => {
  let current = record;
  for (let i = 0; i < times; i++) current = afterFailure(current, at, policy);
  return current!;
};

describe('sign-in attempt limit', () => {
  it('given fewer failures than the budget, when asked, then the key may try again at once', () => {
    expect(lockedForSeconds(fail(2), T0)).toBe(0);
    expect(lockedForSeconds(null, T0)).toBe(0);
  });

  it('given the budget used up within the window, then the key is locked for the first lockout', () => {
    const record = fail(3);
    expect(lockedForSeconds(record, T0)).toBe(10);
    expect(lockedForSeconds(record, s(9.5))).toBe(1);
    expect(lockedForSeconds(record, s(10))).toBe(0);
  });

  it('given failures spread over more than the window, then they do not add up', () => {
    const record = fail(1, fail(2), s(61));
    expect(record.failures).toBe(1);
    expect(lockedForSeconds(record, s(61))).toBe(0);
  });

  it('given a lockout served, when the budget is used up again, then the lockout doubles, up to the longest', () => {
    const first = fail(3);
    const second = fail(3, first, s(11));
    expect(lockedForSeconds(second, s(11))).toBe(20);
    const third = fail(3, second, s(32));
    expect(lockedForSeconds(third, s(32))).toBe(40);
    const fourth = fail(3, third, s(73));
    expect(lockedForSeconds(fourth, s(73))).toBe(80);
    const fifth = fail(3, fourth, s(154));
    expect(lockedForSeconds(fifth, s(154))).toBe(100);
  });

  it('given a quiet time as long as the longest lockout, then lockouts count from the first again', () => {
    const locked = fail(3, fail(3), s(11));
    const later = fail(3, locked, s(11 + 100));
    expect(lockedForSeconds(later, s(111))).toBe(10);
  });

  it('refuses with 429 AUTH.TOO_MANY_ATTEMPTS and a Retry-After of at least a second', () => {
    const error = tooManyAttempts(0.2);
    expect({ code: error.code, category: error.category, retryAfter: error.retryAfterSeconds }).toEqual({
      code: 'AUTH.TOO_MANY_ATTEMPTS',
      category: 'rate_limited',
      retryAfter: 1,
    });
  });
});
