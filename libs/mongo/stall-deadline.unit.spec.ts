import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { withStallDeadline } from './stall-deadline';

const stalled = () => new Error('stalled');

/** Collects what a stream gives until it ends or fails. */
function drain(stream: NodeJS.ReadableStream): Promise<{ readonly text: string; readonly error: unknown }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ text: Buffer.concat(chunks).toString(), error: null }));
    stream.on('error', (error) => resolve({ text: Buffer.concat(chunks).toString(), error }));
  });
}

describe('a download under a stall deadline', () => {
  it('passes the bytes through unchanged and ends when the source ends', async () => {
    const source = new PassThrough();
    const out = withStallDeadline(source, { ms: 200, stalled });
    const result = drain(out);
    source.write('one ');
    setTimeout(() => source.end('two'), 20);
    await expect(result).resolves.toEqual({ text: 'one two', error: null });
  });

  it('ends with the stalled error when the reader waits longer than the deadline for a chunk, and destroys the source', async () => {
    const source = new PassThrough();
    const out = withStallDeadline(source, { ms: 40, stalled });
    const result = drain(out);
    source.write('partial');
    const { text, error } = await result;
    expect(text).toBe('partial');
    expect((error as Error).message).toBe('stalled');
    expect(source.destroyed).toBe(true);
  });

  it('does not count the time a slow reader takes: backpressure never trips it', async () => {
    const source = new PassThrough({ highWaterMark: 16 });
    const out = withStallDeadline(source, { ms: 40, stalled });
    const total = 64 * 1024;
    let written = 0;
    const writeAll = async () => {
      while (written < total) {
        const chunk = Buffer.alloc(1024, 0x61);
        written += chunk.length;
        if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve));
      }
      source.end();
    };
    let received = 0;
    // A reader that takes 10 ms per chunk, far slower than the source: the whole read lasts over a second.
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        setTimeout(callback, 10);
      },
    });
    await Promise.all([writeAll(), pipeline(out, slow)]);
    expect(received).toBe(total);
  }, 20_000);

  it("translates the source's own errors", async () => {
    const source = new PassThrough();
    const out = withStallDeadline(source, { ms: 1000, stalled, failed: (error) => new Error(`unavailable: ${error.message}`) });
    const result = drain(out);
    source.destroy(new Error('connection reset'));
    expect(((await result).error as Error).message).toBe('unavailable: connection reset');
  });

  it('leaves no timer behind once the reader gives up', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const source = new PassThrough();
    const out = withStallDeadline(source, { ms: 30_000, stalled });
    out.resume();
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(before + 1);
    out.destroy();
    await new Promise((resolve) => out.once('close', resolve));
    expect(source.destroyed).toBe(true);
    expect(timers()).toBe(before);
  });
});
