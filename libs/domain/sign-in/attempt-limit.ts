import { rateLimited, type DomainError } from '../errors';

/**
 * How many failed sign-ins Parley takes before it stops listening for a
 * while. One policy for each kind of key: an account (wherever the attempts
 * come from) and a client address (whichever accounts it tries). A lockout
 * is refused before the credentials are even checked, so the answer says
 * nothing about whether they were right; each lockout in a row lasts twice
 * as long as the one before, up to `maxLockoutSeconds`.
 */
export interface AttemptPolicy {
  /** Failures within `windowSeconds` that lock the key. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** The first lockout; doubled for each further one. */
  readonly lockoutSeconds: number;
  /** The longest lockout; also the quiet time after which lockouts count from one again. */
  readonly maxLockoutSeconds: number;
}

/** What is remembered about one key (times in ms since the epoch). */
export interface AttemptRecord {
  readonly failures: number;
  readonly windowStartedAt: number;
  readonly lockedUntil: number | null;
  /** Lockouts in a row so far. */
  readonly lockouts: number;
  readonly lastFailureAt: number;
}

/** Seconds until the key may try again; 0 when it may now. */
export function lockedForSeconds(record: AttemptRecord | null, now: number): number {
  if (record?.lockedUntil == null || record.lockedUntil <= now) return 0;
  return Math.ceil((record.lockedUntil - now) / 1000);
}

/** The record after one more failed attempt. */
export function afterFailure(record: AttemptRecord | null, now: number, policy: AttemptPolicy): AttemptRecord {
  const quiet = record === null || now - record.lastFailureAt >= policy.maxLockoutSeconds * 1000;
  const lockouts = quiet ? 0 : record.lockouts;
  const windowOpen = record !== null && !quiet && now - record.windowStartedAt < policy.windowSeconds * 1000;
  const failures = (windowOpen ? record.failures : 0) + 1;
  const windowStartedAt = windowOpen ? record.windowStartedAt : now;
  if (failures < policy.maxFailures) {
    return { failures, windowStartedAt, lockedUntil: record?.lockedUntil ?? null, lockouts, lastFailureAt: now };
  }
  const seconds = Math.min(policy.maxLockoutSeconds, policy.lockoutSeconds * 2 ** lockouts);
  return { failures: 0, windowStartedAt: now, lockedUntil: now + seconds * 1000, lockouts: lockouts + 1, lastFailureAt: now };
}

/** The refusal while a key is locked: the same whatever was sent. */
export const tooManyAttempts = (retryAfterSeconds: number): DomainError =>
  rateLimited('AUTH.TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts: try again later', retryAfterSeconds);
