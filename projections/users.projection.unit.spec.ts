import { at, usernameClaimed, userRegistered } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';
import { usersProjection } from './users.projection';

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
