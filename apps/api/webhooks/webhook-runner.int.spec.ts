import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookState } from '../../../libs/domain/webhooks/webhook.decider';
import { MemoryEventStore } from '../../../libs/event-store/memory-event-store';
import { MemoryReadStore } from '../../../libs/read-store/memory-read-store';
import { ReadStoreBusyError, type ReadStore } from '../../../libs/read-store/read-store.port';
import type { WebhookPayloads } from './webhook-payloads';
import { WebhookRunner, webhookCheckpoint } from './webhook-runner';
import type { WebhookStates } from './webhook-states';

/** A read store whose next checkpoint commits fail, on demand, as a busy or unreachable store's do. */
function failingCommits(inner: ReadStore, failures: { left: number }): ReadStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'commit') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<ReadStore['commit']>) => {
        if (failures.left > 0) {
          failures.left--;
          throw new ReadStoreBusyError('database is locked');
        }
        return target.commit(...args);
      };
    },
  });
}

describe('a webhook checkpoint commit that fails is retried in place', () => {
  let server: Server;
  let url = '';
  const deliveries: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      deliveries.push(String(request.headers['x-parley-delivery']));
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('given a replay whose first checkpoint commit fails, when the runner retries it, then every event is delivered once', async () => {
    const store = new MemoryEventStore({ positions: 'packed' });
    const ids = ['c1', 'c2', 'c3'];
    for (const id of ids) {
      await store.append(`room-1`, [{ id, type: 'CommentPosted', version: 1, data: { commentId: id }, metadata: {} }], 'any');
    }
    const head = (await store.headPosition())!;
    const raw = new MemoryReadStore();
    const lease = (await raw.acquireLease('webhook-worker', 'this-process', 60_000))!;
    // The first commit after a delivery (the replay's first event) fails twice.
    const failures = { left: 2 };
    const state: WebhookState = {
      status: 'active',
      webhookId: 'hook-1',
      url,
      events: ['CommentPosted'],
      secret: 's'.repeat(32),
      format: 'parley',
      replays: 1,
      replayFrom: '0',
    };
    deliveries.length = 0;
    const runner = new WebhookRunner('hook-1', {
      store,
      readStore: failingCommits(raw, failures),
      fence: () => ({ lease: 'webhook-worker', token: lease.token }),
      states: { load: async () => ({ state, revision: 0 }) } as unknown as WebhookStates,
      payloads: { render: async (_format: string, stored: { id: string }) => ({ id: stored.id }) } as unknown as WebhookPayloads,
      pause: async () => ({ position: '0' }) as never,
      retryBaseMs: 10,
      maxAttempts: 5,
      allowPrivateNetworks: true,
      log: () => undefined,
    });
    try {
      const deadline = Date.now() + 30_000;
      while ((await raw.getCheckpoint(webhookCheckpoint('hook-1'))) !== head.toString()) {
        if (Date.now() > deadline) throw new Error(`the checkpoint never reached the head; deliveries ${deliveries.join(',')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await runner.stop();
    }
    expect(failures.left).toBe(0);
    expect(deliveries).toEqual(ids);
  });
});
