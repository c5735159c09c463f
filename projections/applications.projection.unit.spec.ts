import { applicationsProjection } from './applications.projection';
import { at } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const registered = {
  type: 'ApplicationRegistered',
  data: { applicationId: 'app-1', name: 'Support', publicKey: 'PEM', keyGenerated: true, registeredBy: 'apikey:k', registeredAt: at(1) },
} as const;

describe('applications projection', () => {
  it('ApplicationRegistered: an active application with its public key; a replay changes nothing', async () => {
    const scenario = await given(applicationsProjection);
    await scenario.when(registered);
    expect(await scenario.doc('applications', 'app-1')).toMatchObject({
      name: 'Support',
      publicKey: 'PEM',
      keyGenerated: true,
      status: 'active',
      registeredBy: 'apikey:k',
      registeredAt: at(1),
      removedAt: null,
    });
    await thenReplayChangesNothing(scenario, 'ApplicationRegistered');
  });

  it('ApplicationRemoved: removed, with its time; a replay changes nothing', async () => {
    const scenario = await given(applicationsProjection, [registered]);
    await scenario.when({ type: 'ApplicationRemoved', data: { applicationId: 'app-1', removedBy: 'apikey:k', removedAt: at(2) } });
    expect(await scenario.doc('applications', 'app-1')).toMatchObject({ status: 'removed', removedAt: at(2) });
    await thenReplayChangesNothing(scenario, 'ApplicationRemoved');
  });
});
