import type { ParleyEvent } from './events';

/**
 * One aggregate's rules as the command pipeline runs them: the state a
 * stream folds to and the decision on it. `evolve` takes any event of the
 * stream and leaves the state as it is for events that are not the
 * aggregate's own; `decide` is pure (time and ids come in the command) and
 * answers the events to append, none when the stream already is as asked.
 */
export interface Decider<Command, State, Event extends ParleyEvent = ParleyEvent> {
  readonly initialState: State;
  readonly evolve: (state: State, event: ParleyEvent) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
}
