import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { LazyRequestLogger, lazyRequestLogger } from './lazy-request-logger';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('LazyRequestLogger', () => {
  it('makes no pino child until a line is written, then one, carrying the bindings', () => {
    const { logger, lines } = capture();
    const child = jest.spyOn(logger, 'child');
    const lazy = new LazyRequestLogger(logger, { reqId: 'r-1' }, {});

    expect(child).not.toHaveBeenCalled();
    expect(lazy.level).toBe('info');

    lazy.warn({ err: 'x' }, 'first');
    lazy.info('second');
    lazy.debug('not written at info');

    expect(child).toHaveBeenCalledTimes(1);
    expect(lines()).toEqual([
      expect.objectContaining({ reqId: 'r-1', err: 'x', msg: 'first', level: 40 }),
      expect.objectContaining({ reqId: 'r-1', msg: 'second', level: 30 }),
    ]);
  });

  it("is what Fastify's request.log is: a route's line carries the request id", async () => {
    const { logger, lines } = capture();
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyRequestLogger, logController: new LogController({ disableRequestLogging: true }) });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (request) => {
      request.log.warn('something to say');
      return { ok: true };
    });
    const child = jest.spyOn(logger, 'child');
    try {
      await app.inject({ method: 'GET', url: '/quiet' });
      expect(child).not.toHaveBeenCalled();
      await app.inject({ method: 'GET', url: '/loud' });
      expect(child).toHaveBeenCalledTimes(1);
      expect(lines()).toContainEqual(expect.objectContaining({ msg: 'something to say', reqId: expect.any(String) }));
    } finally {
      await app.close();
    }
  });
});
