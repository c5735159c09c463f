import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { verifyLog } from './log-codec';
import { exportLog, fileLines } from './log-transfer';
import { verifyLogFile } from './parallel-verify';

const collect = async (chunks: AsyncIterable<string>) => {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
};

describe('verify with lines checked in parallel', () => {
  let dir: string;
  let lines: string[];
  let counter = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-verify-'));
    const store = new MemoryEventStore();
    for (let i = 0; i < 400; i++) {
      await store.append(`room-r${i % 7}`, [
        {
          id: `e${i}`,
          type: 'RoomRenamed',
          version: 1,
          // Multi-byte text, so ranges are cut in bytes and decoded as UTF-8.
          data: { roomId: `r${i % 7}`, name: `näme ${i} ${'✓'.repeat(i % 13)}`, renamedBy: 'u1', renamedAt: '2026-01-01T00:00:00.000Z' },
          metadata: { actor: 'u1', correlationId: `c-${i}` },
        },
      ], 'any');
    }
    lines = (await collect(exportLog(store, { batchSize: 50 }))).trimEnd().split('\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fileOf = (content: string[], ending = '\n'): string => {
    const file = join(dir, `export-${counter++}.ndjson`);
    writeFileSync(file, content.join('\n') + ending);
    return file;
  };
  const inOrder = (file: string) => verifyLog(fileLines(file), undefined, { integrityOnly: true });
  // A tiny threshold, so these small files take the parallel path.
  const parallel = (file: string, threads: number) => verifyLogFile(file, { threads, minParallelBytes: 1 });

  it('gives an intact export the same count, positions and final hash as verifying in order, for any number of threads', async () => {
    const file = fileOf(lines);
    const expected = await inOrder(file);
    expect(expected).toMatchObject({ ok: true, count: 400, firstPosition: '1', lastPosition: '400' });
    for (const threads of [2, 5]) expect(await parallel(file, threads)).toEqual(expected);
  });

  it('accepts empty lines after the trailer, as verifying in order does', async () => {
    const file = fileOf(lines, '\n\n\n');
    expect(await parallel(file, 4)).toEqual(await inOrder(file));
  });

  const last = () => lines.length - 1;
  const tampered: [string, (l: string[]) => string[]][] = [
    ['a changed line in the middle', (l) => l.map((x, i) => (i === 201 ? x.replace('näme 200', 'näme 2O0') : x))],
    ['a changed first event line', (l) => l.map((x, i) => (i === 1 ? x.replace('näme 0', 'name 0') : x))],
    ['a dropped line', (l) => l.filter((_, i) => i !== 150)],
    ['two lines swapped', (l) => [...l.slice(0, 300), l[301]!, l[300]!, ...l.slice(302)]],
    ['a line copied further on', (l) => [...l.slice(0, 350), l[120]!, ...l.slice(350)]],
    ['an empty line among the events', (l) => [...l.slice(0, 99), '', ...l.slice(99)]],
    ['a trailer in the middle', (l) => [...l.slice(0, 200), l[last()]!, ...l.slice(200)]],
    ['no trailer', (l) => l.slice(0, -1)],
    ['a trailer with another count', (l) => l.map((x, i) => (i === last() ? x.replace('"count":400', '"count":401') : x))],
    ['a header with another prevHash', (l) => l.map((x, i) => (i === 0 ? x.replace(/"prevHash":"[0-9a-f]/, '"prevHash":"f') : x))],
  ];
  it.each(tampered)('names the same line and reason as verifying in order: %s', async (_name, change) => {
    const file = fileOf(change(lines));
    const expected = await inOrder(file);
    expect(expected.ok).toBe(false);
    expect(await parallel(file, 3)).toEqual(expected);
  });

  it('reads Windows line ends as verifying in order does', async () => {
    const file = fileOf([lines.join('\r\n')], '\r\n');
    const expected = await inOrder(file);
    expect(expected.ok).toBe(true);
    expect(await parallel(file, 3)).toEqual(expected);
  });

  it('verifies a gzip file in order', async () => {
    const file = join(dir, 'not-really.gz');
    writeFileSync(file, lines.join('\n'));
    expect(await parallel(file, 4)).toEqual(await inOrder(file));
  });
});
