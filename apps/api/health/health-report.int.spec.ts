import type { ParleyConfig } from '../../../libs/config/config';
import type { EventStore, NewEvent, ReadAllOptions } from '../../../libs/event-store/event-store.port';
import { countBehind } from '../../../libs/event-store/log-lag';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import type { ProjectionStatus } from '../../../libs/projection/projector';
import type { ProjectorHandle } from '../../../libs/projection/projector-handle';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { HealthReport } from './health-report';

const events = (count: number, from: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${(from + i).toString(16).padStart(12, '0')}`,
    type: 'CommentPosted',
    version: 1,
    data: {},
    metadata: {},
  }));

/** The store, recording how many events each read of the log asked for; `counts: false` plays a store that cannot count. */
function watched(inner: EventStore, counts = true): { store: EventStore; asked: number[] } {
  const asked: number[] = [];
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      if (name === 'readAll') return (options: ReadAllOptions) => (asked.push(options.maxCount), target.readAll(options));
      if (name === 'countAfter' && !counts) return async () => null;
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, asked };
}

describe('the lag /health and /metrics report', () => {
  let inner: MemoryEventStore;
  beforeEach(async () => {
    inner = new MemoryEventStore();
    for (let i = 0; i < 6; i++) await inner.append(`comments-${i}`, events(500, i * 500), 'no_stream');
  });
  afterEach(() => inner.close());

  it('counts the events behind each checkpoint without reading them, up to one past the threshold', async () => {
    const { store, asked } = watched(inner);
    const status: ProjectionStatus = { name: 'rooms', version: 1, checkpoint: '10', state: 'running', lastEventAt: null, failure: null };
    const projector = { status: async () => [status, { ...status, name: 'timeline' }], position: async () => 10n } as unknown as ProjectorHandle;
    const health = new HealthReport(store, new MemoryReadStore(), new ReadModelGate(projector, new MemoryReadStore()), { healthMaxLagEvents: 100 } as ParleyConfig);
    const report = await health.report();
    expect(report.readModels.projections?.map((p) => p.eventsBehind)).toEqual([101, 101]);
    expect(report.readModels.behindBy).toBe('2990');
    expect(report.lagging).toEqual(['rooms', 'timeline']);
    // Only the oldest event not applied is read, for its time.
    expect(Math.max(...asked)).toBe(1);
  });

  it('reads at most the cap of events where the store cannot count, and counts where it can', async () => {
    const counting = watched(inner);
    expect(await countBehind(counting.store, 2000n, 10_000)).toBe(1000);
    expect(await countBehind(counting.store, undefined, 100)).toBe(100);
    expect(counting.asked).toEqual([]);
    const reading = watched(inner, false);
    expect(await countBehind(reading.store, 2000n, 10_000)).toBe(1000);
    expect(await countBehind(reading.store, undefined, 100)).toBe(100);
    expect(reading.asked).toEqual([10_000, 100]);
  });
});
