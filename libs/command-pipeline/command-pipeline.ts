import type { Decider } from '../domain/decider';
import { DomainError } from '../domain/errors';
import type { ParleyEvent } from '../domain/events';
import type { AppendResult, EventStore } from '../event-store/event-store.port';
import type { CommandContext } from './command-context';
import { EventWriter } from './event-writer';
import { KeyedMutex } from './keyed-mutex';
import { StreamStateCache, type Loaded } from './stream-state-cache';

/** Where a stream's decision state comes from; the decider's own cache unless a feature keeps a better one. */
export interface StateSource<State> {
  load(streamId: string): Promise<Loaded<State>>;
}

/** A command, or how to make it from the loaded state when it needs facts read for each attempt. */
export type CommandFor<Command, State> = Command | ((loaded: Loaded<State>) => Command | Promise<Command>);

export interface Handled<State, Event> {
  /** The events appended; none when the stream already was as asked. */
  readonly events: readonly Event[];
  /** The state decided on. */
  readonly loaded: Loaded<State>;
  /** The state after the events. */
  readonly state: State;
  /** The store's answer, null when nothing was appended. */
  readonly appended: AppendResult | null;
}

/** One event of a turn and the request it answers (its metadata names that request). */
export interface TurnEvent<Event> {
  readonly event: Event;
  readonly context: CommandContext;
  readonly id?: string;
}

export interface Turn<Event, Answer> {
  readonly events: readonly TurnEvent<Event>[];
  /** What the caller answers once the events are appended (`appended` is null when there were none). */
  readonly answer: (appended: AppendResult | null) => Answer;
}

export interface HandleOptions<State> {
  readonly states?: StateSource<State>;
  /** Ids for the events decided (a client key makes them deterministic); new ids otherwise. */
  readonly ids?: (events: readonly ParleyEvent[]) => readonly string[];
}

/** How a command ended: events appended, nothing to append, refused by its decider, or failed otherwise. */
export type CommandOutcome = 'appended' | 'unchanged' | 'conflict_retried' | 'refused' | 'failed';

/** Told of every command the pipeline runs (the API's metrics); each conflict retry is told as `conflict_retried`. */
export interface CommandObserver {
  command(type: string, outcome: CommandOutcome): void;
}

const commandType = (command: unknown): string =>
  typeof command === 'object' && command !== null && typeof (command as { type?: unknown }).type === 'string'
    ? (command as { type: string }).type
    : 'unknown';

/**
 * Parley's one way to write: load the stream's decision state (cached, only
 * what is new is read), decide with a pure decider, append at the expected
 * revision, and on a conflict load and decide again, a bounded number of
 * times. Writers to one stream in this process take turns (the revision
 * check still guards against other processes). Batching, as the comment
 * sequencer does, feeds the same turn with several requests' commands.
 */
export class CommandPipeline {
  private readonly caches = new WeakMap<object, StreamStateCache<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly writer: EventWriter = new EventWriter(store),
    private readonly locks: KeyedMutex = new KeyedMutex(),
    private readonly observer: CommandObserver | null = null,
  ) {}

  /** The decider's state cache: what handlers decide on and what other features read. */
  states<State>(decider: Decider<never, State, ParleyEvent>, capacity?: number): StreamStateCache<State> {
    let cache = this.caches.get(decider) as StreamStateCache<State> | undefined;
    if (!cache) {
      cache = new StreamStateCache<State>(this.store, decider.initialState, decider.evolve, capacity);
      this.caches.set(decider, cache as StreamStateCache<unknown>);
    }
    return cache;
  }

  /** Decides one command on one stream and appends what it answers. */
  handle<Command, State, Event extends ParleyEvent>(
    decider: Decider<Command, State, Event>,
    streamId: string,
    command: CommandFor<Command, State>,
    context: CommandContext,
    options: HandleOptions<State> = {},
  ): Promise<Handled<State, Event>> {
    const states = options.states ?? this.states(decider as Decider<never, State, Event>);
    let type = typeof command === 'function' ? 'unknown' : commandType(command);
    return this.locks.run(streamId, () =>
      this.turn(states, streamId, async (loaded) => {
        const decided = await (typeof command === 'function'
          ? (command as (loaded: Loaded<State>) => Command | Promise<Command>)(loaded)
          : command);
        type = commandType(decided);
        const events = decider.decide(decided, loaded.state);
        const ids = options.ids?.(events);
        return {
          events: events.map((event, index) => ({ event, context, id: ids?.[index] })),
          answer: (appended) => ({ events, loaded, state: events.reduce(decider.evolve, loaded.state), appended }),
        };
      }, () => type),
    );
  }

  /**
   * One turn on a stream: load, decide (the caller's function, which may
   * decide several requests' commands one after another), append at the
   * loaded revision, again from the load on a conflict. Not serialised here:
   * `handle` and the comment sequencer's room queue take care of that.
   */
  turn<State, Event extends ParleyEvent, Answer>(
    states: StateSource<State>,
    streamId: string,
    decide: (loaded: Loaded<State>) => Turn<Event, Answer> | Promise<Turn<Event, Answer>>,
    /** The command's type as metrics name it (known once decided, hence a function). */
    type: () => string = () => 'unknown',
  ): Promise<Answer> {
    const observer = this.observer;
    let appended = false;
    const run = this.writer.retrying(
      async () => {
        const loaded = await states.load(streamId);
        const { events, answer } = await decide(loaded);
        if (events.length === 0) return answer(null);
        const result = await this.writer.appendEach(streamId, events, loaded.revision ?? 'no_stream');
        appended = true;
        return answer(result);
      },
      observer === null ? undefined : () => observer.command(type(), 'conflict_retried'),
    );
    if (observer === null) return run;
    return run.then(
      (answer) => {
        observer.command(type(), appended ? 'appended' : 'unchanged');
        return answer;
      },
      (error: unknown) => {
        observer.command(type(), error instanceof DomainError ? 'refused' : 'failed');
        throw error;
      },
    );
  }
}
