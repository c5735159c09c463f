import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  describeError,
  isMonitoredStore,
  type StoreState,
  type StoreStatus,
} from '../../../libs/config/store-connection';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { Public } from '../auth/auth.decorators';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { RAW_EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { HealthResponse } from './health.responses';

/** Reachability of a networked store (EventStoreDB, MongoDB); absent for the embedded ones. */
export interface StoreHealth {
  readonly store: string;
  readonly url: string;
  readonly state: StoreState;
  readonly since: string;
  readonly error: string | null;
}

export interface HealthView {
  /** `unavailable` (HTTP 503) while a store cannot be reached. */
  readonly status: 'ok' | 'unavailable';
  readonly eventStore: { readonly head: string | null; readonly connection?: StoreHealth };
  readonly readModels: {
    readonly position: string | null;
    readonly behindBy: string | null;
    readonly connection?: StoreHealth;
  };
  /** Names of the stores that are down, e.g. ["MongoDB"]. */
  readonly down?: readonly string[];
}

type Probe<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Calls a store unless its monitor already knows it is down (then the call
 * would only wait for a timeout to say so again).
 */
async function probe<T>(store: unknown, call: () => Promise<T>): Promise<Probe<T>> {
  if (isMonitoredStore(store)) {
    const status = store.connectionStatus();
    if (status.state === 'down') return { ok: false, error: new Error(status.error ?? 'unreachable') };
  }
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

function connection(store: unknown, failure: Probe<unknown>): StoreHealth | undefined {
  if (!isMonitoredStore(store)) return undefined;
  const status: StoreStatus = store.connectionStatus();
  // A failed call right now outranks a monitor that has not noticed yet.
  if (!failure.ok && status.state !== 'down') return { ...status, state: 'down', error: describeError(failure.error) };
  return status;
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly gate: ReadModelGate,
  ) {}

  /** Liveness, which store (if any) is unreachable, and how far the read models trail the log. */
  @Public()
  @Get('health')
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'A store is unreachable: the same report, status unavailable' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const [head, position] = await Promise.all([
      probe<Position | null>(this.store, () => this.store.headPosition()),
      probe<Position | null>(this.readStore, () => this.gate.position()),
    ]);
    const eventStore = connection(this.store, head);
    const readStore = connection(this.readStore, position);
    const down = [eventStore, readStore].filter((c): c is StoreHealth => c?.state === 'down').map((c) => c.store);
    // An embedded store that fails is not a connectivity problem: let it surface as an error.
    if (!head.ok && eventStore === undefined) throw head.error;
    if (!position.ok && readStore === undefined) throw position.error;
    const headValue = head.ok ? head.value : null;
    const positionValue = position.ok ? position.value : null;
    if (down.length > 0) void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: down.length > 0 ? 'unavailable' : 'ok',
      eventStore: { head: headValue === null ? null : headValue.toString(), ...(eventStore ? { connection: eventStore } : {}) },
      readModels: {
        position: positionValue === null ? null : positionValue.toString(),
        behindBy: !head.ok || headValue === null ? null : (headValue - (positionValue ?? 0n)).toString(),
        ...(readStore ? { connection: readStore } : {}),
      },
      ...(down.length > 0 ? { down } : {}),
    };
  }
}
