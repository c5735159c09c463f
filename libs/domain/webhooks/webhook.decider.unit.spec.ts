import type { WebhookEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideWebhook,
  evolveWebhook,
  initialWebhookState,
  WEBHOOK_EVENT_TYPES,
  webhookStream,
  type WebhookCommand,
  type WebhookState,
} from './webhook.decider';

const ID = 'wh-1';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';
const ADMIN = 'apikey:admin';
const SECRET = 's'.repeat(32);

const { given, fold } = deciderSpec<WebhookCommand, WebhookEvent, WebhookState>({
  initialState: initialWebhookState,
  evolve: evolveWebhook,
  decide: decideWebhook,
});

const register = (over: Partial<Extract<WebhookCommand, { type: 'RegisterWebhook' }>> = {}): WebhookCommand => ({
  type: 'RegisterWebhook',
  webhookId: ID,
  url: 'https://hooks.example.com/parley',
  events: ['CommentPosted'],
  secret: SECRET,
  format: 'parley',
  actor: ADMIN,
  now: NOW,
  ...over,
});
const registered: WebhookEvent = {
  type: 'WebhookRegistered',
  data: {
    webhookId: ID,
    url: 'https://hooks.example.com/parley',
    events: ['CommentPosted'],
    secret: SECRET,
    format: 'parley',
    registeredBy: ADMIN,
    registeredAt: T0,
  },
};
const paused: WebhookEvent = {
  type: 'WebhookPaused',
  data: { webhookId: ID, reason: 'failures', lastError: 'HTTP 500', stuckAt: '42', attempts: 8, pausedBy: 'system', pausedAt: T0 },
};
const removed: WebhookEvent = { type: 'WebhookRemoved', data: { webhookId: ID, removedBy: ADMIN, removedAt: T0 } };
const pause = (reason: 'failures' | 'admin' = 'failures'): WebhookCommand => ({
  type: 'PauseWebhook',
  reason,
  lastError: 'HTTP 503',
  stuckAt: '77',
  attempts: 8,
  actor: 'system',
  now: NOW,
});
const resume = (from: string | null = null): WebhookCommand => ({ type: 'ResumeWebhook', from, actor: ADMIN, now: NOW });
const update = (over: Partial<Extract<WebhookCommand, { type: 'UpdateWebhook' }>>): WebhookCommand => ({
  type: 'UpdateWebhook',
  actor: ADMIN,
  now: NOW,
  ...over,
});

describe('webhook decider', () => {
  describe('RegisterWebhook', () => {
    it('registers a subscription', () => {
      given([])
        .when(register({ events: ['CommentPosted', 'MemberAdded', 'CommentPosted'], format: 'qiscus' }))
        .then([
          {
            type: 'WebhookRegistered',
            data: {
              webhookId: ID,
              url: 'https://hooks.example.com/parley',
              events: ['CommentPosted', 'MemberAdded'],
              secret: SECRET,
              format: 'qiscus',
              registeredBy: ADMIN,
              registeredAt: NOW,
            },
          },
        ]);
    });

    it('accepts plain http on a private host where private networks are allowed', () => {
      given([]).when(register({ url: 'http://127.0.0.1:8080/hook', allowPrivateNetworks: true })).then([
        { type: 'WebhookRegistered', data: { ...registered.data, url: 'http://127.0.0.1:8080/hook', registeredAt: NOW } },
      ]);
    });

    it.each([
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.0.0.5/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:9000/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://0.0.0.0/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://0x7f.1/',
      'http://2130706433/',
    ])('refuses %s by default: 400 naming url and why', (url) => {
      const error = given([]).when(register({ url })).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details).toEqual([{ field: 'url', reason: expect.stringContaining('must not point into a private network') }]);
    });

    it('accepts a public address and any name (names are checked again after resolution, at delivery)', () => {
      for (const url of ['http://93.184.216.34/hook', 'https://hooks.example.com/parley', 'http://[2606:4700::1111]/']) {
        expect(decideWebhook(register({ url }), initialWebhookState)).toHaveLength(1);
      }
    });

    it.each([
      ['not a URL', 'not a url'],
      ['a relative path', '/hook'],
      ['another scheme', 'ftp://example.com/hook'],
      ['credentials in the URL', 'https://user:pw@example.com/hook'],
      ['a URL too long', `https://example.com/${'x'.repeat(2100)}`],
    ])('refuses %s: 400 naming url', (_, url) => {
      const error = given([]).when(register({ url })).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['url']);
    });

    it('refuses unknown and webhook event types, and an empty list: 400 naming events', () => {
      for (const events of [['Nope'], ['WebhookRegistered'], []]) {
        const error = given([]).when(register({ events })).thenThrows('WEBHOOK.INVALID', 'validation');
        expect(error.details?.map((d) => d.field)).toEqual(['events']);
      }
    });

    it('refuses a short secret: 400 naming secret', () => {
      const error = given([]).when(register({ secret: 'short' })).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['secret']);
    });

    it('names every bad field at once', () => {
      const error = given([])
        .when(register({ url: 'ftp://x', events: ['Nope'], secret: '' }))
        .thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['url', 'events', 'secret']);
    });

    it('refuses an id in use: 409', () => {
      given([registered]).when(register()).thenThrows('WEBHOOK.EXISTS', 'conflict');
    });
  });

  describe('UpdateWebhook', () => {
    it('writes the whole configuration after the change, without the unchanged secret', () => {
      given([registered])
        .when(update({ url: 'https://other.example.com/h', events: ['CommentDeleted'] }))
        .then([
          {
            type: 'WebhookUpdated',
            data: {
              webhookId: ID,
              url: 'https://other.example.com/h',
              events: ['CommentDeleted'],
              format: 'parley',
              secret: null,
              updatedBy: ADMIN,
              updatedAt: NOW,
            },
          },
        ]);
    });

    it('carries a new secret', () => {
      const next = 'n'.repeat(20);
      given([registered])
        .when(update({ secret: next }))
        .then([
          {
            type: 'WebhookUpdated',
            data: { webhookId: ID, url: registered.data.url, events: ['CommentPosted'], format: 'parley', secret: next, updatedBy: ADMIN, updatedAt: NOW },
          },
        ]);
      const state = fold([registered, { type: 'WebhookUpdated', data: { webhookId: ID, url: registered.data.url, events: ['CommentPosted'], format: 'parley', secret: next, updatedBy: ADMIN, updatedAt: NOW } }]);
      expect(state).toMatchObject({ status: 'active', secret: next });
    });

    it('writes nothing when nothing changes', () => {
      given([registered]).when(update({ url: registered.data.url, events: ['CommentPosted'], secret: SECRET, format: 'parley' })).then([]);
    });

    it('keeps a paused webhook paused', () => {
      const state = fold([
        registered,
        paused,
        { type: 'WebhookUpdated', data: { webhookId: ID, url: 'https://b.example.com', events: ['CommentPosted'], format: 'parley', secret: null, updatedBy: ADMIN, updatedAt: NOW } },
      ]);
      expect(state).toMatchObject({ status: 'paused', url: 'https://b.example.com', secret: SECRET, stuckAt: '42' });
    });

    it('refuses a move into a private network unless allowed', () => {
      const error = given([registered]).when(update({ url: 'http://192.168.0.10/hook' })).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['url']);
      expect(decideWebhook(update({ url: 'http://192.168.0.10/hook', allowPrivateNetworks: true }), fold([registered]))).toHaveLength(1);
    });

    it('refuses bad fields like registration does', () => {
      const error = given([registered]).when(update({ events: ['UserRegistered', 'Nope'] })).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['events']);
    });

    it('404 for an unknown or removed webhook', () => {
      given([]).when(update({ url: 'https://x.example.com' })).thenThrows('WEBHOOK.NOT_FOUND', 'not_found');
      given([registered, removed]).when(update({ url: 'https://x.example.com' })).thenThrows('WEBHOOK.NOT_FOUND', 'not_found');
    });
  });

  describe('RemoveWebhook', () => {
    it('removes, once', () => {
      given([registered]).when({ type: 'RemoveWebhook', actor: ADMIN, now: NOW }).then([
        { type: 'WebhookRemoved', data: { webhookId: ID, removedBy: ADMIN, removedAt: NOW } },
      ]);
      given([registered, removed]).when({ type: 'RemoveWebhook', actor: ADMIN, now: NOW }).thenThrows('WEBHOOK.NOT_FOUND', 'not_found');
    });

    it('removes a paused webhook', () => {
      given([registered, paused]).when({ type: 'RemoveWebhook', actor: ADMIN, now: NOW }).then([
        { type: 'WebhookRemoved', data: { webhookId: ID, removedBy: ADMIN, removedAt: NOW } },
      ]);
    });
  });

  describe('PauseWebhook', () => {
    it('pauses an active webhook with the last error and the stuck position', () => {
      given([registered]).when(pause()).then([
        {
          type: 'WebhookPaused',
          data: { webhookId: ID, reason: 'failures', lastError: 'HTTP 503', stuckAt: '77', attempts: 8, pausedBy: 'system', pausedAt: NOW },
        },
      ]);
      expect(fold([registered, paused])).toMatchObject({ status: 'paused', lastError: 'HTTP 500', stuckAt: '42' });
    });

    it('writes nothing for a webhook paused already', () => {
      given([registered, paused]).when(pause('admin')).then([]);
    });

    it('404 for a removed webhook (the worker lost the race)', () => {
      given([registered, removed]).when(pause()).thenThrows('WEBHOOK.NOT_FOUND', 'not_found');
    });
  });

  describe('ResumeWebhook', () => {
    it('resumes a paused webhook where it stopped', () => {
      given([registered, paused]).when(resume()).then([
        { type: 'WebhookResumed', data: { webhookId: ID, from: null, resumedBy: ADMIN, resumedAt: NOW } },
      ]);
      const state = fold([registered, paused, { type: 'WebhookResumed', data: { webhookId: ID, from: null, resumedBy: ADMIN, resumedAt: NOW } }]);
      expect(state).toEqual({ ...fold([registered]), status: 'active', replays: 0, replayFrom: null });
    });

    it('resuming an active webhook writes nothing', () => {
      given([registered]).when(resume()).then([]);
    });

    it('a replay restarts an active or a paused webhook and counts the request', () => {
      const replayed: WebhookEvent = { type: 'WebhookResumed', data: { webhookId: ID, from: '10', resumedBy: ADMIN, resumedAt: NOW } };
      given([registered]).when(resume('10')).then([replayed]);
      given([registered, paused]).when(resume('10')).then([replayed]);
      expect(fold([registered, paused, replayed])).toMatchObject({ status: 'active', replays: 1, replayFrom: '10' });
      expect(fold([registered, replayed, { ...replayed, data: { ...replayed.data, from: '3' } }])).toMatchObject({
        replays: 2,
        replayFrom: '3',
      });
    });

    it('refuses a from that is not a position', () => {
      const error = given([registered]).when(resume('-1')).thenThrows('WEBHOOK.INVALID', 'validation');
      expect(error.details?.map((d) => d.field)).toEqual(['from']);
    });

    it('404 for an unknown webhook', () => {
      given([]).when(resume('1')).thenThrows('WEBHOOK.NOT_FOUND', 'not_found');
    });
  });

  it('offers every event type but its own to subscribers', () => {
    expect(WEBHOOK_EVENT_TYPES).toContain('CommentPosted');
    expect(WEBHOOK_EVENT_TYPES).toContain('UserRegistered');
    expect(WEBHOOK_EVENT_TYPES.filter((t) => t.startsWith('Webhook'))).toEqual([]);
    expect(webhookStream('abc')).toBe('webhook-abc');
  });
});
