import { Progress, ProgressLine } from './progress';

/** A stream that records what is written, as a terminal or as a pipe. */
function stream(isTTY: boolean): { out: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const out = { isTTY, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { out, writes };
}

describe('Progress', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('on a terminal, two progresses that advance together share one line, and each ends on a line of its own', () => {
    const { out, writes } = stream(true);
    const line = new ProgressLine(out);
    const importing = new Progress('import', null, out, line);
    const rebuilding = new Progress('rebuild', null, out, line);
    importing.update(10n, 10);
    rebuilding.update(4n, 4);
    const shared = writes[writes.length - 1]!;
    expect(shared.startsWith('\r\x1b[2K')).toBe(true);
    expect(shared).toMatch(/import: position 10, 10 events.*\|.*rebuild: position 4, 4 events/);
    expect(shared.endsWith('\n')).toBe(false);

    importing.finish(20n, 20);
    const ended = writes[writes.length - 1]!;
    expect(ended.startsWith('\r\x1b[2Kimport: position 20, 20 events, ')).toBe(true);
    expect(ended).toMatch(/done in .*\n$/);
    jest.setSystemTime(1_000_500);
    rebuilding.update(12n, 12);
    const alone = writes[writes.length - 1]!;
    expect(alone).toMatch(/rebuild: position 12, 12 events/);
    expect(alone).not.toMatch(/import:/);
  });

  it('in a pipe or a log, writes plain lines, at most one every two seconds per progress', () => {
    const { out, writes } = stream(false);
    const progress = new Progress('export', 100n, out, new ProgressLine(out));
    progress.update(10n, 10);
    progress.update(11n, 11);
    jest.setSystemTime(1_002_500);
    progress.update(50n, 50);
    progress.finish(100n, 100);
    expect(writes).toHaveLength(3);
    expect(writes.every((text) => text.endsWith('\n') && !text.includes('\r'))).toBe(true);
    expect(writes[1]).toMatch(/^export: position 50 \(50\.0%\), 50 events/);
  });
});
