import { conflict } from '../errors';
import { deciderSpec } from './given-when-then';

// A counter that refuses to go past 2: enough to prove the helper's checks can fail.
type Added = { readonly type: 'Added'; readonly data: { readonly by: number; readonly meta?: { a: number; b: number } } };
type Add = { readonly by: number };

const { given, fold } = deciderSpec<Add, Added, number>({
  initialState: 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.by > 2) throw conflict('COUNTER.FULL', 'full');
    return command.by === 0 ? [] : [{ type: 'Added', data: { by: command.by, meta: { a: 1, b: 2 } } }];
  },
});

describe('given/when/then helper', () => {
  it('folds the given events before deciding', () => {
    expect(fold([{ type: 'Added', data: { by: 1 } }, { type: 'Added', data: { by: 1 } }])).toBe(2);
    given([{ type: 'Added', data: { by: 1 } }])
      .when({ by: 2 })
      .thenThrows('COUNTER.FULL', 'conflict');
  });

  it('then passes on equal events whatever the key order', () => {
    given([]).when({ by: 1 }).then([{ data: { meta: { b: 2, a: 1 }, by: 1 }, type: 'Added' }]);
    given([]).when({ by: 0 }).then([]);
  });

  it('then fails on different events, on extra events and on a refusal', () => {
    expect(() => given([]).when({ by: 1 }).then([{ type: 'Added', data: { by: 2, meta: { a: 1, b: 2 } } }])).toThrow(
      /Expected events/,
    );
    expect(() => given([]).when({ by: 1 }).then([])).toThrow(/decide answered/);
    expect(() => given([{ type: 'Added', data: { by: 2 } }]).when({ by: 1 }).then([])).toThrow(/COUNTER\.FULL/);
  });

  it('thenThrows fails when decide succeeds or refuses with another code or category', () => {
    expect(() => given([]).when({ by: 1 }).thenThrows('COUNTER.FULL', 'conflict')).toThrow(/decide answered/);
    expect(() =>
      given([{ type: 'Added', data: { by: 2 } }])
        .when({ by: 1 })
        .thenThrows('COUNTER.OTHER', 'conflict'),
    ).toThrow(/but got DomainError COUNTER\.FULL/);
    expect(() =>
      given([{ type: 'Added', data: { by: 2 } }])
        .when({ by: 1 })
        .thenThrows('COUNTER.FULL', 'forbidden'),
    ).toThrow(/but got DomainError COUNTER\.FULL \(conflict\)/);
  });

  it('thenThrows answers the error for further checks', () => {
    const error = given([{ type: 'Added', data: { by: 2 } }]).when({ by: 1 }).thenThrows('COUNTER.FULL', 'conflict');
    expect(error.message).toBe('full');
  });
});
