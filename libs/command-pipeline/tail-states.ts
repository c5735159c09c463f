import type { Decider } from '../domain/decider';
import { upcast } from '../domain/events';
import type { EventStore } from '../event-store/event-store.port';
import type { StateSource } from './command-pipeline';
import type { Loaded } from './stream-state-cache';

/**
 * The state of a stream whose last event says all a decision needs (a
 * room's comment tail, a read marker): one backwards read of one event,
 * whatever the stream's length, so a post costs the same in a room with a
 * million comments as in a new one.
 */
export class TailStates<State> implements StateSource<State> {
  constructor(
    private readonly store: EventStore,
    private readonly decider: Pick<Decider<never, State>, 'initialState' | 'evolve'>,
  ) {}

  async load(streamId: string): Promise<Loaded<State>> {
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    if (!last) return { state: this.decider.initialState, revision: null };
    const event = upcast(last.type, last.version, last.data);
    return { state: event ? this.decider.evolve(this.decider.initialState, event) : this.decider.initialState, revision: last.revision };
  }
}
