import { EVENT_VERSIONS, type ParleyEvent } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import type { Position } from '../../../libs/event-store/event-store.port';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { Projector } from '../../../libs/projection/projector';
import { SqliteReadStore } from '../../../libs/read-store/sqlite-read-store';
import { parleyProjections } from '../../../projections';
import { commentPosted, roomCreated } from '../../../projections/testing/parley-events';
import { streamOf } from '../../../projections/testing/projection-harness';
import { ReadModelGate } from './read-model-gate';

function tooDeep(): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < 1_000; i++) value = { a: value };
  return value;
}

describe('ReadModelGate with a failed projection', () => {
  let events: MemoryEventStore;
  let reads: SqliteReadStore;
  let projector: Projector;
  let head: Position;

  beforeEach(async () => {
    events = new MemoryEventStore();
    reads = new SqliteReadStore({ file: ':memory:' });
    const log: ParleyEvent[] = [roomCreated('r-1'), commentPosted('r-1', 1, { payload: tooDeep() }), roomCreated('r-2')];
    for (const event of log) {
      const id = event.type === 'CommentPosted' ? event.data.commentId : newId();
      const result = await events.append(streamOf(event), [{ id, type: event.type, version: EVENT_VERSIONS[event.type], data: event.data, metadata: {} }], 'any');
      head = result.position;
    }
    projector = new Projector(events, reads, parleyProjections, { batchSize: 100 });
    await projector.catchUp();
  });
  afterEach(async () => {
    await reads.close();
    await events.close();
  });

  // In process: the projector's own state; external: what it stored beside the read models.
  describe.each([
    ['in process', () => new ReadModelGate(projector, reads)],
    ['with a separate projector', () => new ReadModelGate(null, reads)],
  ])('%s', (_, gateOf) => {
    it('lets queries on healthy read models through, and refuses at once those on the failed one', async () => {
      const gate = gateOf();
      expect((await gate.status()).filter((s) => s.state === 'failed').map((s) => s.name)).toEqual(['timeline']);
      expect(await gate.position()).toBe(head);
      await expect(gate.waitForReadModels(head, 1_000, ['rooms', 'memberships'])).resolves.toEqual({ reached: true });
      const outcome = await gate.waitForReadModels(head, 60_000, ['memberships', 'timeline']);
      expect(outcome.reached).toBe(false);
      expect(!outcome.reached && outcome.failed.map((s) => s.name)).toEqual(['timeline']);
      // All read models (a query that names none) include the failed one.
      expect((await gate.waitForReadModels(head, 60_000, null)).reached).toBe(false);
      // A position the failed read model did pass is still served.
      const timeline = (await gate.status()).find((s) => s.name === 'timeline')!;
      await expect(gate.waitForReadModels(BigInt(timeline.checkpoint!), 1_000, ['timeline'])).resolves.toEqual({ reached: true });
    });
  });
});
