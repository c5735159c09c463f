import { assertNever, conflict, notFound, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import { EVENT_VERSIONS, type ParleyEvent, type ParleyEventType, type WebhookEvent, type WebhookFormat } from '../events';
import { hostProblem } from './network-address';

/**
 * A webhook subscription: where to POST which event types, signed with which
 * secret. Its life is the stream `webhook-<id>`; delivery progress is not part
 * of it (that is the delivery worker's checkpoint), only the decisions that
 * change what is delivered: pause after failures, resume, replay.
 */
export const webhookStream = (webhookId: string) => `webhook-${webhookId}`;

const WEBHOOK_OWN_TYPES: ReadonlySet<string> = new Set<WebhookEvent['type']>([
  'WebhookRegistered',
  'WebhookUpdated',
  'WebhookRemoved',
  'WebhookPaused',
  'WebhookResumed',
]);
export const isWebhookEventType = (type: string): type is WebhookEvent['type'] => WEBHOOK_OWN_TYPES.has(type);
export const isWebhookEvent = (event: ParleyEvent): event is WebhookEvent => isWebhookEventType(event.type);

/** Event types a webhook may subscribe to: the log minus the webhooks' own events, which carry secrets. */
export const WEBHOOK_EVENT_TYPES: readonly ParleyEventType[] = (Object.keys(EVENT_VERSIONS) as ParleyEventType[]).filter(
  (type) => !isWebhookEventType(type),
);
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['parley', 'qiscus'];
export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;
export const WEBHOOK_URL_MAX = 2048;

export interface WebhookConfig {
  readonly webhookId: string;
  readonly url: string;
  readonly events: readonly string[];
  /** Null only once the webhook's key is destroyed, which removing it does. */
  readonly secret: string | null;
  readonly format: WebhookFormat;
}

export type WebhookState =
  | { readonly status: 'absent' }
  | (WebhookConfig & {
      readonly status: 'active';
      /** Replays requested so far; the worker compares it with the replays it has applied. */
      readonly replays: number;
      readonly replayFrom: string | null;
    })
  | (WebhookConfig & {
      readonly status: 'paused';
      readonly replays: number;
      readonly replayFrom: string | null;
      readonly lastError: string | null;
      readonly stuckAt: string | null;
    })
  | { readonly status: 'removed'; readonly webhookId: string };
export type LiveWebhook = Extract<WebhookState, { status: 'active' | 'paused' }>;

export const initialWebhookState: WebhookState = { status: 'absent' };

export type WebhookCommand =
  | {
      readonly type: 'RegisterWebhook';
      readonly webhookId: string;
      readonly url: string;
      readonly events: readonly string[];
      readonly secret: string;
      readonly format: WebhookFormat;
      /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: loopback, private and link-local targets allowed. Absent: refused. */
      readonly allowPrivateNetworks?: boolean;
      readonly actor: string;
      readonly now: string;
    }
  | {
      readonly type: 'UpdateWebhook';
      readonly url?: string;
      readonly events?: readonly string[];
      readonly secret?: string;
      readonly format?: WebhookFormat;
      readonly allowPrivateNetworks?: boolean;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'RemoveWebhook'; readonly actor: string; readonly now: string }
  | {
      readonly type: 'PauseWebhook';
      readonly reason: 'failures' | 'admin';
      readonly lastError: string | null;
      readonly stuckAt: string | null;
      readonly attempts: number;
      readonly actor: string;
      readonly now: string;
    }
  | {
      readonly type: 'ResumeWebhook';
      /** Replay from this position (decimal); null resumes where delivery stopped. */
      readonly from: string | null;
      readonly actor: string;
      readonly now: string;
    };

export function evolveWebhook(state: WebhookState, event: WebhookEvent): WebhookState {
  switch (event.type) {
    case 'WebhookRegistered': {
      const { webhookId, url, events, secret, format } = event.data;
      return { status: 'active', webhookId, url, events, secret, format, replays: 0, replayFrom: null };
    }
    case 'WebhookUpdated': {
      if (state.status !== 'active' && state.status !== 'paused') return state;
      const { url, events, format, secret } = event.data;
      return { ...state, url, events, format, secret: secret ?? state.secret };
    }
    case 'WebhookRemoved':
      return { status: 'removed', webhookId: event.data.webhookId };
    case 'WebhookPaused': {
      if (state.status !== 'active' && state.status !== 'paused') return state;
      const { lastError, stuckAt } = event.data;
      return { ...state, status: 'paused', lastError, stuckAt };
    }
    case 'WebhookResumed': {
      if (state.status !== 'active' && state.status !== 'paused') return state;
      const { webhookId, url, events, secret, format } = state;
      const replay = event.data.from !== null;
      return {
        status: 'active',
        webhookId,
        url,
        events,
        secret,
        format,
        replays: replay ? state.replays + 1 : state.replays,
        replayFrom: replay ? event.data.from : state.replayFrom,
      };
    }
    default:
      return assertNever(event, 'webhook event');
  }
}

export function decideWebhook(command: WebhookCommand, state: WebhookState): WebhookEvent[] {
  switch (command.type) {
    case 'RegisterWebhook': {
      if (state.status !== 'absent') throw conflict('WEBHOOK.EXISTS', 'A webhook with this id exists already');
      const { webhookId, url, events, secret, format, actor, now } = command;
      check({ url, events, secret, format }, command.allowPrivateNetworks === true);
      return [
        {
          type: 'WebhookRegistered',
          data: { webhookId, url, events: unique(events), secret, format, registeredBy: actor, registeredAt: now },
        },
      ];
    }
    case 'UpdateWebhook': {
      const hook = requireWebhook(state);
      check(command, command.allowPrivateNetworks === true);
      const url = command.url ?? hook.url;
      const events = command.events ? unique(command.events) : hook.events;
      const format = command.format ?? hook.format;
      const secret = command.secret !== undefined && command.secret !== hook.secret ? command.secret : null;
      if (url === hook.url && sameSet(events, hook.events) && format === hook.format && secret === null) return [];
      return [
        {
          type: 'WebhookUpdated',
          data: { webhookId: hook.webhookId, url, events, format, secret, updatedBy: command.actor, updatedAt: command.now },
        },
      ];
    }
    case 'RemoveWebhook': {
      const hook = requireWebhook(state);
      return [{ type: 'WebhookRemoved', data: { webhookId: hook.webhookId, removedBy: command.actor, removedAt: command.now } }];
    }
    case 'PauseWebhook': {
      const hook = requireWebhook(state);
      if (hook.status === 'paused') return [];
      const { reason, lastError, stuckAt, attempts, actor, now } = command;
      return [
        {
          type: 'WebhookPaused',
          data: { webhookId: hook.webhookId, reason, lastError, stuckAt, attempts, pausedBy: actor, pausedAt: now },
        },
      ];
    }
    case 'ResumeWebhook': {
      const hook = requireWebhook(state);
      if (command.from !== null && !/^\d{1,40}$/.test(command.from)) {
        throw validationError('WEBHOOK.INVALID', 'from must be a position', [{ field: 'from', reason: 'must be a decimal position' }]);
      }
      // Resuming an active webhook changes nothing; a replay always restarts delivery.
      if (hook.status === 'active' && command.from === null) return [];
      return [
        {
          type: 'WebhookResumed',
          data: { webhookId: hook.webhookId, from: command.from, resumedBy: command.actor, resumedAt: command.now },
        },
      ];
    }
    default:
      return assertNever(command, 'webhook command');
  }
}

/** The subscription, unless it never existed or was removed: then a 404. */
export function requireWebhook(state: WebhookState): LiveWebhook {
  if (state.status !== 'active' && state.status !== 'paused') throw notFound('WEBHOOK.NOT_FOUND', 'Webhook not found');
  return state;
}

/** Whether the subscription delivers events of this type. */
export const subscribesTo = (hook: Pick<WebhookConfig, 'events'>, type: string): boolean => hook.events.includes(type);

function check(
  fields: {
    readonly url?: string;
    readonly events?: readonly string[];
    readonly secret?: string;
    readonly format?: WebhookFormat;
  },
  allowPrivateNetworks: boolean,
): void {
  const details: ErrorDetail[] = [];
  if (fields.url !== undefined) {
    const reason = urlProblem(fields.url, allowPrivateNetworks);
    if (reason) details.push({ field: 'url', reason });
  }
  if (fields.events !== undefined) {
    if (fields.events.length === 0) details.push({ field: 'events', reason: 'must name at least one event type' });
    for (const type of fields.events) {
      if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)) {
        details.push({ field: 'events', reason: `${JSON.stringify(type)} is not an event type a webhook can receive` });
      }
    }
  }
  if (fields.secret !== undefined && (fields.secret.length < WEBHOOK_SECRET_MIN || fields.secret.length > WEBHOOK_SECRET_MAX)) {
    details.push({ field: 'secret', reason: `must be ${WEBHOOK_SECRET_MIN} to ${WEBHOOK_SECRET_MAX} characters long` });
  }
  if (fields.format !== undefined && !WEBHOOK_FORMATS.includes(fields.format)) {
    details.push({ field: 'format', reason: `must be one of ${WEBHOOK_FORMATS.join(', ')}` });
  }
  if (details.length > 0) {
    throw validationError('WEBHOOK.INVALID', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
  }
}

function urlProblem(text: string, allowPrivateNetworks: boolean): string | null {
  if (text.length > WEBHOOK_URL_MAX) return `must be at most ${WEBHOOK_URL_MAX} characters long`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials; sign with the secret instead';
  const host = allowPrivateNetworks ? null : hostProblem(url.hostname);
  if (host) return `must not point into a private network: ${url.hostname} is ${host} (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`;
  return null;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((value) => set.has(value));
}

/** One webhook subscription, stream `webhook-<id>`. */
export const webhookDecider: Decider<WebhookCommand, WebhookState, WebhookEvent> = {
  initialState: initialWebhookState,
  evolve: (state, event) => (isWebhookEvent(event) ? evolveWebhook(state, event) : state),
  decide: decideWebhook,
};
