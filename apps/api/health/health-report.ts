import { Inject, Injectable } from '@nestjs/common';
import {
  describeError,
  isMonitoredStore,
  type StoreState,
  type StoreStatus,
} from '../../../libs/config/store-connection';
import type { ParleyConfig } from '../../../libs/config/config';
import type { EventStore, Position } from '../../../libs/event-store/event-store.port';
import { countBehind, logLag } from '../../../libs/event-store/log-lag';
import type { ProjectionFailure, ProjectionStatus } from '../../../libs/projection/projector';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { ReadModelGate } from '../infrastructure/read-model-gate';
import { PARLEY_CONFIG, RAW_EVENT_STORE, READ_STORE } from '../infrastructure/tokens';

/** Reachability of a networked store (EventStoreDB, MongoDB); absent for the embedded ones. */
export interface StoreHealth {
  readonly store: string;
  readonly url: string;
  readonly state: StoreState;
  readonly since: string;
  readonly error: string | null;
}

/** One projection: its state, how far it trails the log, and the failure that stopped it. */
export interface ProjectionHealth {
  readonly name: string;
  readonly version: number;
  readonly state: 'running' | 'failed';
  readonly checkpoint: string | null;
  /**
   * Events in the log after its checkpoint, counted up to HEALTH_MAX_LAG_EVENTS + 1
   * (a larger count reads as that); null when the event store cannot be read.
   */
  readonly eventsBehind: number | null;
  /** Seconds since the oldest event it has not applied was recorded; 0 when caught up. */
  readonly secondsBehind: number | null;
  /** When the last event it applied was recorded, when this process knows. */
  readonly lastEventAt: string | null;
  readonly failure: ProjectionFailure | null;
}

export interface HealthView {
  /**
   * `unavailable` (HTTP 503) while a store cannot be reached; `degraded` (HTTP
   * 503) while a projection is failed or trails the log by more than
   * HEALTH_MAX_LAG_EVENTS.
   */
  readonly status: 'ok' | 'degraded' | 'unavailable';
  readonly eventStore: { readonly head: string | null; readonly connection?: StoreHealth };
  readonly readModels: {
    /** What every running projection has passed. */
    readonly position: string | null;
    /** Events after `position`, where the store counts them (the embedded ones); null on EventStoreDB. */
    readonly behindBy: string | null;
    /** Seconds since the first event after `position` was recorded; 0 when caught up. */
    readonly secondsBehind: number | null;
    readonly connection?: StoreHealth;
    readonly projections?: readonly ProjectionHealth[];
  };
  /** Names of the stores that are down, e.g. ["MongoDB"]. */
  readonly down?: readonly string[];
  /** Projections stopped on an event, with the event and the error. */
  readonly failed?: readonly ({ readonly projection: string } & ProjectionFailure)[];
  /** Projections trailing the log by more than HEALTH_MAX_LAG_EVENTS. */
  readonly lagging?: readonly string[];
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

/**
 * What /health reports, computed once per call: the stores, the projector's
 * progress, failures and lag. /health, /health/ready and /metrics share it.
 */
@Injectable()
export class HealthReport {
  constructor(
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly gate: ReadModelGate,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async report(): Promise<HealthView> {
    const [head, position, statuses] = await Promise.all([
      probe<Position | null>(this.store, () => this.store.headPosition()),
      probe<Position | null>(this.readStore, () => this.gate.position()),
      probe<ProjectionStatus[]>(this.readStore, () => this.gate.status()),
    ]);
    const eventStore = connection(this.store, head);
    const readStore = connection(this.readStore, position);
    const down = [eventStore, readStore].filter((c): c is StoreHealth => c?.state === 'down').map((c) => c.store);
    // An embedded store that fails is not a connectivity problem: let it surface as an error.
    if (!head.ok && eventStore === undefined) throw head.error;
    if (!position.ok && readStore === undefined) throw position.error;
    const headValue = head.ok ? head.value : null;
    const positionValue = position.ok ? position.value : null;
    const [projections, lag] = await Promise.all([
      statuses.ok ? this.projectionHealth(statuses.value, head.ok ? headValue : undefined) : undefined,
      head.ok && position.ok ? logLag(this.store, positionValue).catch(() => null) : null,
    ]);
    const failed = (projections ?? []).flatMap((p) => (p.failure ? [{ projection: p.name, ...p.failure }] : []));
    const lagging = (projections ?? [])
      .filter((p) => p.state === 'running' && p.eventsBehind !== null && p.eventsBehind > this.config.healthMaxLagEvents)
      .map((p) => p.name);
    const degraded = failed.length > 0 || lagging.length > 0;
    return {
      status: down.length > 0 ? 'unavailable' : degraded ? 'degraded' : 'ok',
      eventStore: { head: headValue === null ? null : headValue.toString(), ...(eventStore ? { connection: eventStore } : {}) },
      readModels: {
        position: positionValue === null ? null : positionValue.toString(),
        behindBy: lag?.events == null ? null : String(lag.events),
        secondsBehind: lag === null ? null : lag.secondsBehind,
        ...(readStore ? { connection: readStore } : {}),
        ...(projections ? { projections } : {}),
      },
      ...(down.length > 0 ? { down } : {}),
      ...(failed.length > 0 ? { failed } : {}),
      ...(lagging.length > 0 ? { lagging } : {}),
    };
  }

  /** Events after a checkpoint (up to `cap`) and when the first of them was recorded: a count and one event read, not the events between. */
  private async lagAfter(after: Position | undefined, cap: number): Promise<{ events: number; oldest: string | null }> {
    const [events, [oldest]] = await Promise.all([countBehind(this.store, after, cap), this.store.readAll({ after, maxCount: 1 })]);
    return { events: oldest === undefined ? 0 : events, oldest: oldest?.recordedAt ?? null };
  }

  /**
   * Lag per projection, from the log after each distinct checkpoint (the
   * projections usually share one): positions are not event counts on every
   * store, so events are counted, up to one past the threshold.
   */
  private async projectionHealth(statuses: readonly ProjectionStatus[], head: Position | null | undefined): Promise<ProjectionHealth[]> {
    const cap = this.config.healthMaxLagEvents + 1;
    const behind = new Map<string, Promise<{ events: number; oldest: string | null } | null>>();
    const lagOf = (checkpoint: string | null) => {
      const key = checkpoint ?? '';
      let found = behind.get(key);
      if (!found) {
        found =
          head === undefined
            ? Promise.resolve(null)
            : head === null || (checkpoint !== null && BigInt(checkpoint) >= head)
              ? Promise.resolve({ events: 0, oldest: null })
              : this.lagAfter(checkpoint === null ? undefined : BigInt(checkpoint), cap).catch(() => null);
        behind.set(key, found);
      }
      return found;
    };
    const now = Date.now();
    return Promise.all(
      statuses.map(async (status) => {
        const lag = await lagOf(status.checkpoint);
        return {
          name: status.name,
          version: status.version,
          state: status.state,
          checkpoint: status.checkpoint,
          eventsBehind: lag === null ? null : lag.events,
          secondsBehind: lag === null ? null : lag.oldest === null ? 0 : Math.max(0, Math.round((now - Date.parse(lag.oldest)) / 1000)),
          lastEventAt: status.lastEventAt,
          failure: status.failure,
        };
      }),
    );
  }
}
