import type { ParleyEventType } from '../libs/domain/events';
import { at, usernameClaimed, userRegistered } from './testing/parley-events';
import { given, type ProjectionScenario } from './testing/projection-harness';
import { usersProjection } from './users.projection';

/** Re-delivers the last events, then the whole log, to the handlers: the documents must not move. */
async function thenReplayChangesNothing(scenario: ProjectionScenario, type: ParleyEventType): Promise<void> {
  for (const scope of ['last', 'all'] as const) {
    const { before, after, delivered } = await scenario.replay(scope);
    expect(delivered).toContain(type);
    expect(after).toEqual(before);
  }
}

describe('users projection', () => {
  it('UserRegistered: a user document without credentials, keyed by the normalised name', async () => {
    const scenario = await given(usersProjection, [usernameClaimed('ａlice', 'u-alice')]);
    const [stored] = await scenario.when(
      userRegistered('u-alice', { username: 'ＡLice', displayName: 'Alice A.', registeredAt: at(3) }),
    );
    expect(await scenario.doc('users', 'u-alice')).toEqual({
      id: 'u-alice',
      username: 'ＡLice',
      usernameKey: 'alice',
      displayName: 'Alice A.',
      registeredAt: at(3),
      _position: stored!.position.toString(),
    });
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });

  it('UsernameClaimed alone makes no user', async () => {
    const scenario = await given(usersProjection);
    await scenario.when(usernameClaimed('alice', 'u-alice'));
    expect(await scenario.docs('users')).toEqual([]);
  });

  it('then not updated: registering another user leaves the first as it was', async () => {
    const scenario = await given(usersProjection, [userRegistered('u-alice')]);
    const before = await scenario.doc('users', 'u-alice');
    await scenario.when(userRegistered('u-bob', { displayName: 'Bob' }));
    expect(await scenario.doc('users', 'u-alice')).toEqual(before);
    expect((await scenario.docs('users')).map((d) => d.id).sort()).toEqual(['u-alice', 'u-bob']);
    await thenReplayChangesNothing(scenario, 'UserRegistered');
  });
});
