import { jsonNestsDeeperThan, MAX_BODY_DEPTH } from './body-depth';
import { clientErrorBody } from './client-error';

describe('the depth scan of JSON bodies', () => {
  const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const objects = (depth: number) => '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth);

  it.each([
    ['arrays', arrays],
    ['objects', objects],
  ])('lets %s nested exactly to the limit through and refuses one level more', (_, nest) => {
    expect(jsonNestsDeeperThan(nest(MAX_BODY_DEPTH), MAX_BODY_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan(nest(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
  });

  it('counts depth, not the number of containers', () => {
    const wide = `[${Array.from({ length: 10_000 }, () => '{"a":[1]}').join(',')}]`;
    expect(jsonNestsDeeperThan(wide, 3)).toBe(false);
    expect(jsonNestsDeeperThan(wide, 2)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan(JSON.stringify({ text: '[{'.repeat(1000) }), 1)).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ text: 'say \\"[[[[\\" and "[["' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan(`{"a\\"[[[":[[1]]}`, 2)).toBe(true);
    expect(jsonNestsDeeperThan(`{"a\\"[[[":[[1]]}`, 3)).toBe(false);
  });

  it('scans a 200 KB body of 100,000 levels without recursion', () => {
    expect(jsonNestsDeeperThan(arrays(100_000), MAX_BODY_DEPTH)).toBe(true);
  });
});

describe('the error body for requests Node refuses', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'REQUEST.HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST.TIMEOUT'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'REQUEST.MALFORMED'],
  ])('%s answers %d %s', (code, statusCode, errorCode) => {
    expect(clientErrorBody(Object.assign(new Error('x'), { code }))).toEqual({ statusCode, code: errorCode, message: expect.any(String) });
  });
});
