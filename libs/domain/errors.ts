/**
 * Domain errors carry a stable code (`ROOM.NOT_A_MEMBER`) and a category. One
 * exception filter in the API maps categories to HTTP statuses, so the domain
 * never knows about HTTP.
 */
export type ErrorCategory =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable';

export interface ErrorDetail {
  readonly field: string;
  readonly reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    message: string,
    readonly details?: readonly ErrorDetail[],
    /** For `rate_limited` (and `unavailable`): seconds until a retry can succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (code: string, message: string, details?: ErrorDetail[]) =>
  new DomainError(code, 'validation', message, details);
export const forbidden = (code: string, message: string) => new DomainError(code, 'forbidden', message);
export const notFound = (code: string, message: string) => new DomainError(code, 'not_found', message);
export const conflict = (code: string, message: string) => new DomainError(code, 'conflict', message);
export const unauthenticated = (code: string, message: string) =>
  new DomainError(code, 'unauthenticated', message);

export const tooLarge = (code: string, message: string, details?: ErrorDetail[]) =>
  new DomainError(code, 'too_large', message, details);

export const rateLimited = (code: string, message: string, retryAfterSeconds: number) =>
  new DomainError(code, 'rate_limited', message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
