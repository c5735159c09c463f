import type { StoredEvent } from '../event-store/event-store.port';
import { LastChanges } from './last-changes';

const at = (streamId: string, position: number): StoredEvent => ({
  id: `${streamId}@${position}`,
  type: 'X',
  version: 1,
  streamId,
  revision: 0,
  position: BigInt(position),
  recordedAt: '2026-01-01T00:00:00.000Z',
  data: {},
  metadata: {},
});

describe('LastChanges: whether a stream changed between two log positions, from the live log', () => {
  it('answers once the log is seen past `until`: unchanged when the last change is at or before `since`', async () => {
    const changes = new LastChanges('room-');
    changes.see([at('room-a', 1), at('comments-a', 2), at('room-b', 3)]);
    const asked = changes.unchangedBetween('room-a', 1n, 5n, 1000);
    changes.see([at('comments-a', 4), at('comments-a', 5)]);
    expect(await asked).toBe(true);
    // room-b changed at 3, after a state ending at 2: cannot tell without reading.
    expect(await changes.unchangedBetween('room-b', 2n, 5n, 1000)).toBeNull();
    expect(await changes.unchangedBetween('room-b', 3n, 5n, 1000)).toBe(true);
    // A stream never seen changed nowhere since following began.
    expect(await changes.unchangedBetween('room-z', 0n, 5n, 1000)).toBe(true);
  });

  it('does not tell when the log is not seen that far in time, or after close', async () => {
    const changes = new LastChanges('room-');
    changes.see([at('room-a', 1)]);
    expect(await changes.unchangedBetween('room-a', 1n, 9n, 20)).toBeNull();
    const waiting = changes.unchangedBetween('room-a', 1n, 9n, 60_000);
    changes.close();
    expect(await waiting).toBeNull();
  });

  it('forgets the least recently changed stream past its capacity and keeps what it forgot as a floor', async () => {
    const changes = new LastChanges('room-', 2);
    changes.see([at('room-a', 1), at('room-b', 2), at('room-c', 3)]);
    // room-a is forgotten: a change of it may be anywhere up to 1.
    expect(await changes.unchangedBetween('room-a', 0n, 3n, 1000)).toBeNull();
    expect(await changes.unchangedBetween('room-a', 1n, 3n, 1000)).toBe(true);
    expect(await changes.unchangedBetween('room-x', 0n, 3n, 1000)).toBeNull();
    expect(await changes.unchangedBetween('room-c', 3n, 3n, 1000)).toBe(true);
  });
});
