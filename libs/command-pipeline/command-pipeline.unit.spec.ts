import { randomUUID } from 'node:crypto';
import type { Decider } from '../domain/decider';
import type { ParleyEvent, RoomRenamed } from '../domain/events';
import { MemoryEventStore } from '../event-store/memory-event-store';
import type { CommandContext } from './command-context';
import { CommandPipeline } from './command-pipeline';
import { TailStates } from './tail-states';

/** A room's name history: enough of a decider to see load, decide, append and retry. */
interface Rename {
  readonly name: string;
}
const names: Decider<Rename, readonly string[], RoomRenamed> = {
  initialState: [],
  evolve: (state, event: ParleyEvent) => (event.type === 'RoomRenamed' ? [...state, event.data.name] : state),
  decide: ({ name }, state) =>
    state[state.length - 1] === name
      ? []
      : [{ type: 'RoomRenamed', data: { roomId: 'r1', name, renamedBy: 'u1', renamedAt: '2026-01-01T00:00:00.000Z' } }],
};

const context = (actor: string): CommandContext => ({ actor, correlationId: `c-${actor}`, causationId: `c-${actor}` });

const renamed = (name: string) => ({
  id: randomUUID(),
  type: 'RoomRenamed',
  version: 1,
  data: { roomId: 'r1', name, renamedBy: 'u2', renamedAt: '2026-01-01T00:00:00.000Z' },
  metadata: {},
});

describe('CommandPipeline', () => {
  let store: MemoryEventStore;
  let pipeline: CommandPipeline;
  const stream = () => `room-${randomUUID()}`;

  beforeEach(() => {
    store = new MemoryEventStore();
    pipeline = new CommandPipeline(store);
  });

  it('appends what the decider answers at the loaded revision and answers the state after it', async () => {
    const id = stream();
    const first = await pipeline.handle(names, id, { name: 'a' }, context('u1'));
    const second = await pipeline.handle(names, id, { name: 'b' }, context('u1'));
    expect(first.appended?.nextRevision).toBe(0);
    expect(second.loaded.revision).toBe(0);
    expect(second.state).toEqual(['a', 'b']);
    const events = await store.readStream(id);
    expect(events.map((e) => [e.type, e.metadata['actor']])).toEqual([
      ['RoomRenamed', 'u1'],
      ['RoomRenamed', 'u1'],
    ]);
  });

  it('appends all the events a command decides in one append', async () => {
    const several: Decider<{ readonly names: readonly string[] }, readonly string[], RoomRenamed> = {
      ...names,
      decide: (command) => command.names.flatMap((name) => names.decide({ name }, [])),
    };
    const appends: string[] = [];
    const append = store.append.bind(store);
    store.append = (streamId, events, expected) => {
      appends.push(streamId);
      return append(streamId, events, expected);
    };
    const id = stream();
    const { appended } = await pipeline.handle(several, id, { names: ['a', 'b', 'c'] }, context('u1'));
    expect(appends).toEqual([id]);
    expect(appended?.nextRevision).toBe(2);
  });

  it('writes nothing when the stream already is as asked', async () => {
    const id = stream();
    await pipeline.handle(names, id, { name: 'a' }, context('u1'));
    const again = await pipeline.handle(names, id, { name: 'a' }, context('u1'));
    expect(again.events).toEqual([]);
    expect(again.appended).toBeNull();
    expect(await store.readStream(id)).toHaveLength(1);
  });

  it('decides again on the new state when another writer moved the stream first', async () => {
    const id = stream();
    await pipeline.handle(names, id, { name: 'a' }, context('u1'));
    let attempts = 0;
    const result = await pipeline.handle(
      names,
      id,
      async ({ state }) => {
        attempts++;
        // Another process writes between this load and the append, once.
        if (attempts === 1) await store.append(id, [renamed('elsewhere')], 0);
        return { name: state.includes('elsewhere') ? 'after-elsewhere' : 'blind' };
      },
      context('u1'),
    );
    expect(attempts).toBe(2);
    expect(result.state).toEqual(['a', 'elsewhere', 'after-elsewhere']);
  });

  it('keeps writers to one stream in this process in turn', async () => {
    const id = stream();
    await Promise.all(['a', 'b', 'c', 'd'].map((name) => pipeline.handle(names, id, { name }, context(name))));
    expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
  });

  it('appends a turn of several requests’ events at once, each with its own metadata, from the stream’s tail', async () => {
    const id = stream();
    await pipeline.handle(names, id, { name: 'a' }, context('u1'));
    const answered = await pipeline.turn(new TailStates(store, names), id, ({ state, revision }) => {
      expect(state).toEqual(['a']);
      expect(revision).toBe(0);
      const [b] = names.decide({ name: 'b' }, state);
      const [c] = names.decide({ name: 'c' }, names.evolve(state, b!));
      return {
        events: [
          { event: b!, context: context('u2') },
          { event: c!, context: context('u3') },
        ],
        answer: (appended) => appended?.nextRevision,
      };
    });
    expect(answered).toBe(2);
    expect((await store.readStream(id)).map((e) => e.metadata['actor'])).toEqual(['u1', 'u2', 'u3']);
  });
});
