import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { droppedLogLines, ParleyLogger, scopeOf } from './logger';
import { redact, REDACTED } from './redact';

describe('ParleyLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('drops and counts a line it cannot write instead of throwing (a full disk under stdout)', () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    const before = droppedLogLines();
    expect(() => new ParleyLogger('debug').log({ msg: 'hello' })).not.toThrow();
    expect(droppedLogLines()).toBe(before + 1);
  });

  it("listens for stdout's and stderr's 'error' events, so a failed write does not end the process", () => {
    new ParleyLogger('info');
    const before = droppedLogLines();
    expect(() => process.stdout.emit('error', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }))).not.toThrow();
    expect(() => process.stderr.emit('error', Object.assign(new Error('EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    expect(droppedLogLines()).toBe(before + 2);
  });

  it('writes to the descriptor itself once the stdout stream has failed, so logging resumes when space returns', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'parley-log-'));
    const full = fs.openSync('/dev/full', 'w');
    const roomy = fs.openSync(join(dir, 'out.log'), 'w');
    try {
      let fd = full;
      const failedStream = { destroyed: true, get fd() { return fd; }, write: () => true };
      const before = droppedLogLines();
      const logger = new ParleyLogger('info', failedStream);
      logger.log({ msg: 'while full' });
      expect(droppedLogLines()).toBe(before + 1);
      fd = roomy;
      logger.log({ msg: 'space again' });
      expect(droppedLogLines()).toBe(before + 1);
      expect(fs.readFileSync(join(dir, 'out.log'), 'utf8')).toContain('space again');
    } finally {
      fs.closeSync(full);
      fs.closeSync(roomy);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redacts phone numbers and codes in every line it writes', () => {
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write);
    new ParleyLogger('debug').debug({ msg: 'request', url: '/v1/lookup/%2B15551234567', phone: '+15551234567', code: '048213' }, 'http');
    new ParleyLogger('debug').error('failed for +447700900123');
    expect(lines.join('')).not.toMatch(/5551234567|048213|7700900123/);
  });
});

describe('redact', () => {
  it('masks phone fields, digit codes and E.164 numbers anywhere, and leaves error codes and other values alone', () => {
    expect(
      redact({
        to: '+15551234567',
        code: '123456',
        error: { code: 'AUTH.TOO_MANY_ATTEMPTS', message: 'number +4915112345678 refused' },
        nested: [{ phone: '0049 151 1234' }],
        position: '1234567890',
        statusCode: 429,
      }),
    ).toEqual({
      to: REDACTED,
      code: REDACTED,
      error: { code: 'AUTH.TOO_MANY_ATTEMPTS', message: `number ${REDACTED} refused` },
      nested: [{ phone: REDACTED }],
      position: '1234567890',
      statusCode: 429,
    });
  });
});

describe('ParleyLogger (pino)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, out: { destroyed: false, fd: 1, write: (line: string) => lines.push(line) } };
  };

  it('writes one JSON object a line with an ISO time, the level by name and the context', () => {
    const { lines, out } = capture();
    new ParleyLogger({ logLevel: 'info' }, out).warn({ msg: 'slow', ms: 12 }, 'http');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', context: 'http', msg: 'slow', ms: 12 });
    expect(line['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('listens for output errors once per process, however many copies of the logger module make loggers', () => {
    new ParleyLogger({ logLevel: 'info' }, capture().out);
    const listening = process.stdout.listenerCount('error');
    for (let copy = 0; copy < 12; copy++) {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('./logger') as typeof import('./logger');
        new fresh.ParleyLogger({ logLevel: 'info' }, capture().out);
      });
    }
    expect(process.stdout.listenerCount('error')).toBe(listening);
    expect(process.stderr.listenerCount('error')).toBeLessThanOrEqual(listening);
  });

  it("writes a command's request and correlation ids as the line's fields, and no ids on a line logged without them", () => {
    const { lines, out } = capture();
    const logger = new ParleyLogger({ logLevel: 'info' }, out);
    const scope = scopeOf({ correlationId: 'corr-1', causationId: 'req-1' });
    logger.log({ ...scope, msg: 'inside' });
    logger.log('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'inside', reqId: 'req-1', correlationId: 'corr-1' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('reqId');
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('correlationId');
  });

  it('redacts tokens in query strings, credentials by name, and the paths the operator configured', () => {
    const { lines, out } = capture();
    new ParleyLogger({ logLevel: 'info', logRedactPaths: ['detail.card', '*.pin'] }, out).log({
      msg: 'GET /v1/me/feed/ws?access_token=eyJhbGciOi.payload.sig&x=1',
      headers: { authorization: 'Bearer abc.def', 'x-api-key': 'pk_live_1' },
      refresh_token: 'rt-secret',
      detail: { card: '4111111111111111' },
      user: { pin: '9981' },
    });
    const text = lines.join('');
    expect(text).not.toMatch(/eyJhbGciOi|abc\.def|pk_live_1|rt-secret|4111111111111111|9981/);
    expect(JSON.parse(text)).toMatchObject({ msg: 'GET /v1/me/feed/ws?access_token=[redacted]&x=1', detail: { card: '[redacted]' } });
  });
});
