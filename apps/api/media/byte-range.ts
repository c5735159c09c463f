import type { ByteRange } from '../../../libs/blob-store/blob-store.port';

/**
 * An HTTP `Range` header against content of `size` bytes (RFC 9110 14.2):
 * null to send it whole (no header, another unit, several ranges, or syntax
 * Parley does not read, all of which a server may ignore), `unsatisfiable`
 * when the one range asked for starts beyond the end (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
