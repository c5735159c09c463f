import type { WebhookEvent } from '../libs/domain/events';
import { at } from './testing/parley-events';
import { given, type ProjectionScenario, thenReplayChangesNothing } from './testing/projection-harness';
import { webhooksProjection } from './webhooks.projection';

const HOOK = 'wh-1';
const OTHER = 'wh-2';
const ADMIN = 'apikey:admin';

const registered = (webhookId = HOOK, minute = 0): WebhookEvent => ({
  type: 'WebhookRegistered',
  data: {
    webhookId,
    url: 'https://hooks.example.com/a',
    events: ['CommentPosted'],
    secret: 'the-secret-never-projected',
    format: 'parley',
    registeredBy: ADMIN,
    registeredAt: at(minute),
  },
});
const updated = (secret: string | null = null): WebhookEvent => ({
  type: 'WebhookUpdated',
  data: {
    webhookId: HOOK,
    url: 'https://hooks.example.com/b',
    events: ['CommentPosted', 'CommentDeleted'],
    format: 'qiscus',
    secret,
    updatedBy: ADMIN,
    updatedAt: at(5),
  },
});
const paused: WebhookEvent = {
  type: 'WebhookPaused',
  data: { webhookId: HOOK, reason: 'failures', lastError: 'HTTP 500', stuckAt: '17', attempts: 8, pausedBy: 'system', pausedAt: at(6) },
};
const resumed = (from: string | null = null): WebhookEvent => ({
  type: 'WebhookResumed',
  data: { webhookId: HOOK, from, resumedBy: ADMIN, resumedAt: at(7) },
});
const removed: WebhookEvent = { type: 'WebhookRemoved', data: { webhookId: HOOK, removedBy: ADMIN, removedAt: at(8) } };

const hookDoc = (scenario: ProjectionScenario, id = HOOK) => scenario.doc('webhooks', id);

describe('webhooks projection', () => {
  it('WebhookRegistered: an active subscription without its secret', async () => {
    const scenario = await given(webhooksProjection);
    const [stored] = await scenario.when(registered());
    expect(await hookDoc(scenario)).toEqual({
      id: HOOK,
      url: 'https://hooks.example.com/a',
      events: ['CommentPosted'],
      format: 'parley',
      status: 'active',
      lastError: null,
      stuckAt: null,
      pausedAt: null,
      createdAt: at(0),
      updatedAt: at(0),
      _position: stored!.position.toString(),
    });
    expect(JSON.stringify(await scenario.docs('webhooks'))).not.toContain('the-secret-never-projected');
    await thenReplayChangesNothing(scenario, 'WebhookRegistered');
  });

  it('WebhookUpdated: the new url, types and format; still no secret', async () => {
    const scenario = await given(webhooksProjection, [registered()]);
    await scenario.when(updated('a-new-secret-never-projected'));
    expect(await hookDoc(scenario)).toMatchObject({
      url: 'https://hooks.example.com/b',
      events: ['CommentPosted', 'CommentDeleted'],
      format: 'qiscus',
      status: 'active',
      createdAt: at(0),
      updatedAt: at(5),
    });
    expect(JSON.stringify(await scenario.docs('webhooks'))).not.toContain('never-projected');
    await thenReplayChangesNothing(scenario, 'WebhookUpdated');
  });

  it('WebhookPaused: paused with the last error and the stuck position', async () => {
    const scenario = await given(webhooksProjection, [registered()]);
    await scenario.when(paused);
    expect(await hookDoc(scenario)).toMatchObject({ status: 'paused', lastError: 'HTTP 500', stuckAt: '17', pausedAt: at(6), updatedAt: at(6) });
    await thenReplayChangesNothing(scenario, 'WebhookPaused');
  });

  it('WebhookResumed: active again, the error cleared', async () => {
    const scenario = await given(webhooksProjection, [registered(), paused]);
    await scenario.when(resumed('3'));
    expect(await hookDoc(scenario)).toMatchObject({ status: 'active', lastError: null, stuckAt: null, pausedAt: null, updatedAt: at(7) });
    await thenReplayChangesNothing(scenario, 'WebhookResumed');
  });

  it('WebhookRemoved: a tombstone that later events and replays leave alone', async () => {
    const scenario = await given(webhooksProjection, [registered()]);
    await scenario.when(removed);
    expect(await hookDoc(scenario)).toMatchObject({ status: 'removed', updatedAt: at(8) });
    await thenReplayChangesNothing(scenario, 'WebhookRemoved');
    const tombstone = await hookDoc(scenario);
    await scenario.when(paused, resumed(), updated());
    expect({ ...(await hookDoc(scenario)), _position: tombstone?._position }).toEqual(tombstone);
  });

  it('then not updated: a change to one subscription leaves the other as it was', async () => {
    const scenario = await given(webhooksProjection, [registered(), registered(OTHER, 1)]);
    const before = await hookDoc(scenario, OTHER);
    await scenario.when(updated(), paused, removed);
    expect(await hookDoc(scenario, OTHER)).toEqual(before);
    await thenReplayChangesNothing(scenario, 'WebhookRemoved');
  });
});
