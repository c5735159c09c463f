import { EVENT_VERSIONS } from '../domain/events';
import type { EventStore, NewEvent } from '../event-store/event-store.port';
import { MemoryEventStore } from '../event-store/memory-event-store';
import { GENESIS_HASH, LogEncoder, verifyLog } from './log-codec';
import { exportLog, importLog } from './log-transfer';

async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  yield* lines;
}

const collect = async (chunks: AsyncIterable<string>) => {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
};

const event = (id: string, type = 'RoomRenamed', version = 1): NewEvent => ({
  id,
  type,
  version,
  data: { roomId: 'r1', name: `name ${id}`, renamedBy: 'u1', renamedAt: '2026-01-01T00:00:00.000Z' },
  metadata: { actor: 'u1', correlationId: `c-${id}` },
});

async function storeWith(count: number): Promise<EventStore> {
  const store = new MemoryEventStore();
  for (let i = 0; i < count; i++) await store.append(`room-r${i % 3}`, [event(`e${i}`)], 'any');
  return store;
}

describe('the export format', () => {
  let text: string;
  let lines: string[];
  beforeAll(async () => {
    text = await collect(exportLog(await storeWith(10), { batchSize: 3 }));
    lines = text.trimEnd().split('\n');
  });

  it('has a header, one line per event in log order, and a trailer', async () => {
    expect(lines).toHaveLength(12);
    expect(JSON.parse(lines[0]!)).toEqual({ kind: 'header', format: 'parley-log/1', from: '0', prevHash: GENESIS_HASH });
    const positions = lines.slice(1, 11).map((l) => JSON.parse(l).position);
    expect(positions).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const first = JSON.parse(lines[1]!);
    expect(first).toMatchObject({ id: 'e0', type: 'RoomRenamed', version: 1, streamId: 'room-r0', revision: 0, metadata: { correlationId: 'c-e0' } });
    expect(JSON.parse(lines[11]!)).toMatchObject({ kind: 'trailer', count: 10, firstPosition: '1', lastPosition: '10' });
  });

  it('verifies an untouched export', async () => {
    expect(await verifyLog(linesOf(text))).toMatchObject({ ok: true, count: 10, lastPosition: '10' });
  });

  const tampered: [string, (l: string[]) => string[], number][] = [
    ['a changed line', (l) => l.map((x, i) => (i === 4 ? x.replace('name e3', 'name eX') : x)), 5],
    ['a dropped line', (l) => l.filter((_, i) => i !== 4), 5],
    ['two lines swapped', (l) => [...l.slice(0, 3), l[4]!, l[3]!, ...l.slice(5)], 4],
    ['an inserted line', (l) => [...l.slice(0, 6), l[2]!, ...l.slice(6)], 7],
    ['a changed trailer count', (l) => l.map((x, i) => (i === 11 ? x.replace('"count":10', '"count":9') : x)), 12],
  ];
  it.each(tampered)('names the first wrong line for %s', async (_, change, line) => {
    const result = await verifyLog(linesOf(change(lines).join('\n')));
    expect(result).toMatchObject({ ok: false, line });
    const integrityOnly = await verifyLog(linesOf(change(lines).join('\n')), undefined, { integrityOnly: true });
    expect(integrityOnly).toMatchObject({ ok: false, line });
  });

  it('verifies integrity alone without parsing lines, with the same result', async () => {
    expect(await verifyLog(linesOf(text), undefined, { integrityOnly: true })).toEqual(await verifyLog(linesOf(text)));
  });

  it('refuses a truncated export (no trailer)', async () => {
    const result = await verifyLog(linesOf(lines.slice(0, 8).join('\n')));
    expect(result).toMatchObject({ ok: false, line: 9, reason: expect.stringContaining('truncated') });
  });

  it.each([
    ['malformed JSON', '{"position":"11","id":"x","hash":"' + 'a'.repeat(64) + '"}'.replace('}', ''), 'hash'],
    ['an unknown event type', 'UnheardOf', 'unknown event type'],
    ['a version from the future', 'future', 'newer than this build knows'],
    ['a wrong date', 'baddate', 'recordedAt'],
  ])('names the line and field for %s', async (name, kind, reason) => {
    const encoder = new LogEncoder();
    const good = (id: string, overrides: Record<string, unknown> = {}) =>
      encoder.line({
        id,
        type: 'RoomRenamed',
        version: 1,
        streamId: 'room-x',
        revision: Number(id.slice(1)),
        position: BigInt(Number(id.slice(1)) + 1),
        recordedAt: '2026-01-01T00:00:00.000Z',
        data: {},
        metadata: {},
        ...overrides,
      });
    const body = [encoder.header(), good('e0')];
    if (kind === 'UnheardOf') body.push(good('e1', { type: 'UnheardOf' }));
    else if (kind === 'future') body.push(good('e1', { version: EVENT_VERSIONS.RoomRenamed + 1 }));
    else if (kind === 'baddate') body.push(good('e1', { recordedAt: '31/12/2026' }));
    else body.push(kind + '\n');
    body.push(encoder.trailer());
    const result = await verifyLog(linesOf(body.join('')));
    expect({ name, result }).toMatchObject({ name, result: { ok: false, line: 3, reason: expect.stringContaining(reason) } });
  });
});

describe('exporting a large log', () => {
  it('yields chunks of whole lines under 64 KiB plus a line, however large its batches, so memory stays flat', async () => {
    // 2,000 events of about 300 characters in one batch: about 600,000 characters.
    const store = await storeWith(2_000);
    const chunks: string[] = [];
    for await (const chunk of exportLog(store, { batchSize: 2_000 })) chunks.push(chunk);
    const text = chunks.join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2_002);
    const longest = Math.max(...lines.map((line) => line.length + 1));
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThan(64 * 1024 + longest);
      expect(chunk.endsWith('\n')).toBe(true);
    }
    expect((await verifyLog(linesOf(text))).ok).toBe(true);
  });
});

describe('restoring an export', () => {
  it('round-trips byte for byte: export, import into an empty store, export again', async () => {
    const source = await storeWith(25);
    const first = await collect(exportLog(source, { batchSize: 7 }));
    const target = new MemoryEventStore();
    const result = await importLog(target, () => linesOf(first), { batchSize: 4 });
    expect(result).toMatchObject({ imported: 25, skipped: 0, verify: { ok: true } });
    expect(await collect(exportLog(target))).toBe(first);
  });

  it('adds nothing when the same file is imported twice, and resumes a partial import', async () => {
    const text = await collect(exportLog(await storeWith(12)));
    const target = new MemoryEventStore();
    const first = await importLog(target, () => linesOf(text), { batchSize: 100 });
    expect(first.imported).toBe(12);
    const again = await importLog(target, () => linesOf(text));
    expect(again).toMatchObject({ imported: 0, skipped: 12 });
    expect((await target.headPosition())?.toString()).toBe('12');

    // A partial import: the first five events went in before the process died.
    const resumed = new MemoryEventStore();
    await resumed.importEvents(await (await storeWith(12)).readAll({ maxCount: 5 }));
    const rest = await importLog(resumed, () => linesOf(text));
    expect(rest).toMatchObject({ imported: 7, skipped: 5 });
  });

  it('writes nothing from a file whose chain is broken', async () => {
    const text = await collect(exportLog(await storeWith(6)));
    const broken = text.replace('name e4', 'name e9');
    const target = new MemoryEventStore();
    const result = await importLog(target, () => linesOf(broken));
    expect(result.verify.ok).toBe(false);
    expect(result.imported).toBe(0);
    expect(await target.headPosition()).toBeNull();
  });

  it('refuses events that conflict with what the store holds, all or nothing', async () => {
    const text = await collect(exportLog(await storeWith(4)));
    const target = new MemoryEventStore();
    await target.append('room-other', [event('unrelated')], 'no_stream');
    await expect(importLog(target, () => linesOf(text))).rejects.toThrow(/position 1/);
    expect((await target.headPosition())?.toString()).toBe('1');
  });

  it('continues a chain from a resumed position', async () => {
    const store = await storeWith(8);
    const whole = await collect(exportLog(store));
    const wholeLines = whole.trimEnd().split('\n');
    const firstPart = wholeLines.slice(0, 5); // header + positions 1..4
    const lastHash = JSON.parse(firstPart[4]!).hash as string;
    const rest = await collect(exportLog(store, { from: 4n, prevHash: lastHash }));
    const restLines = rest.trimEnd().split('\n');
    expect(restLines.slice(1, -1)).toEqual(wholeLines.slice(5, -1));
    expect(JSON.parse(restLines[restLines.length - 1]!)).toMatchObject({ count: 4, finalHash: JSON.parse(wholeLines[wholeLines.length - 1]!).finalHash });
    expect(await verifyLog(linesOf(rest))).toMatchObject({ ok: true, count: 4 });
  });
});
