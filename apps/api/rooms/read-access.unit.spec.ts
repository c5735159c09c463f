import { DomainError } from '../../../libs/domain/errors';
import { decodeCursor, encodeCursor } from './read-access';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('keyset cursors', () => {
  it('decodes what it encoded', () => {
    expect(decodeCursor(encodeCursor(['2026-01-01T00:00:00.000Z', 'id-1']), ['string', 'string'])).toEqual(['2026-01-01T00:00:00.000Z', 'id-1']);
    expect(decodeCursor(encodeCursor([12, 'id-1']), ['revision', 'string'])).toEqual([12, 'id-1']);
    expect(decodeCursor(encodeCursor([null, 'id-1']), ['string-or-null', 'string'])).toEqual([null, 'id-1']);
  });

  it.each([
    ['numbers where strings are sorted', raw([1, 2]), ['string', 'string']],
    ['a null id', raw(['x', null]), ['string', 'string']],
    ['a string revision', raw(['x', 'y']), ['revision', 'string']],
    ['a fractional revision', raw([1.5, 'y']), ['revision', 'string']],
    ['a negative revision', raw([-1, 'y']), ['revision', 'string']],
    ['a revision past 2^53', raw([2 ** 53, 'y']), ['revision', 'string']],
    ['an object', raw([{ a: 1 }, 'y']), ['string-or-null', 'string']],
    ['the wrong length', raw(['y']), ['string', 'string']],
    ['not an array', raw({ a: 1 }), ['string']],
    ['not JSON', 'not-json', ['string']],
  ] as const)('refuses %s with REQUEST.CURSOR_INVALID naming cursor', (_, cursor, shape) => {
    expect(refusal(() => decodeCursor(cursor, shape))).toMatchObject({
      code: 'REQUEST.CURSOR_INVALID',
      category: 'validation',
      details: [{ field: 'cursor', reason: 'is malformed' }],
    });
  });
});
