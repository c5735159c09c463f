import { DomainError, type ErrorCategory } from '../errors';

/**
 * Given/when/then for deciders: `given` events are folded with `evolve` from
 * `initialState`, `decide` runs on the result. Framework-free on purpose: this
 * folder is domain code (no test-runner import), so a mismatch is a thrown
 * Error whose message shows both sides.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
}

export interface Outcome<Event> {
  /** Asserts that decide answered exactly these events, in this order. */
  then(expected: readonly Event[]): void;
  /** Asserts that decide refused with this code and category; answers the error for further checks. */
  thenThrows(code: string, category: ErrorCategory): DomainError;
}

export interface Scenario<Command, Event> {
  when(command: Command): Outcome<Event>;
}

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  const fold = (events: readonly Event[]): State => events.reduce(decider.evolve, decider.initialState);
  const given = (events: readonly Event[]): Scenario<Command, Event> => ({
    when: (command) => {
      const run = () => decider.decide(command, fold(events));
      return {
        then: (expected) => {
          let actual: readonly Event[];
          try {
            actual = run();
          } catch (error) {
            throw new Error(`Expected events ${show(expected)}\nbut decide threw ${describe(error)}`);
          }
          if (canonical(actual) !== canonical(expected)) {
            throw new Error(`Expected events ${show(expected)}\nbut decide answered ${show(actual)}`);
          }
        },
        thenThrows: (code, category) => {
          let actual: readonly Event[];
          try {
            actual = run();
          } catch (error) {
            if (!(error instanceof DomainError)) {
              throw new Error(`Expected DomainError ${code} (${category}) but decide threw ${describe(error)}`);
            }
            if (error.code !== code || error.category !== category) {
              throw new Error(`Expected DomainError ${code} (${category}) but got ${describe(error)}`);
            }
            return error;
          }
          throw new Error(`Expected DomainError ${code} (${category}) but decide answered ${show(actual)}`);
        },
      };
    },
  });
  return { given, fold };
}

function describe(error: unknown): string {
  if (error instanceof DomainError) return `DomainError ${error.code} (${error.category}): ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const show = (value: unknown): string => JSON.stringify(sortKeys(value), null, 2);

/** Events are JSON data, so equal canonical JSON (sorted keys) means deep equality. */
const canonical = (value: unknown): string => JSON.stringify(sortKeys(value));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
