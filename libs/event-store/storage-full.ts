/**
 * Out of storage space: the disk (ENOSPC), a quota (EDQUOT) or SQLite's own
 * limit (SQLITE_FULL) refused a write. Nothing was acknowledged, nothing is
 * lost, and the same request succeeds once space returns, so the API answers
 * 507 `STORAGE.FULL` rather than a 500. Recognised by the error's `code`,
 * which survives being passed from a worker thread or wrapped as a `cause`.
 */
export const STORAGE_FULL = 'STORAGE.FULL';

const FULL_CODES: ReadonlySet<string> = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', STORAGE_FULL]);

export class StorageFullError extends Error {
  readonly code = STORAGE_FULL;

  constructor(message = 'Out of storage space', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageFullError';
  }
}

export function isStorageFull(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && FULL_CODES.has(code)) return true;
  return isStorageFull((error as { cause?: unknown }).cause, depth + 1);
}
