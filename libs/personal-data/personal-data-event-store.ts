import { personalFieldsOf, type PersonalFields } from '../domain/personal-data';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  PositionCheck,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store/event-store.port';
import { isSealed, type OwnerKey, type PersonalDataVault } from './vault';

type Data = Record<string, unknown>;
interface Personal<E> {
  readonly index: number;
  readonly event: E;
  readonly fields: PersonalFields;
  readonly owner: string;
}

export interface PersonalDataLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

const isData = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value);

function personalOf<E extends { readonly type: string; readonly data: unknown }>(events: readonly E[]): Personal<E>[] {
  const found: Personal<E>[] = [];
  events.forEach((event, index) => {
    const fields = personalFieldsOf(event.type);
    if (!fields || !isData(event.data)) return;
    const owner = fields.owner(event.data as never);
    if (typeof owner === 'string') found.push({ index, event, fields, owner });
  });
  return found;
}

/**
 * The event store as Parley's code sees it: personal fields (libs/domain/
 * personal-data.ts) are sealed with their owner's key on the way in and
 * opened on the way out. A field whose owner's key is destroyed reads as
 * null, whether it was sealed or written in clear before sealing existed.
 *
 * Exports, verification and imports use the store underneath (`inner`), so
 * backups carry the sealed bytes: the export chain never changes when a user
 * is erased, and no backup keeps what erasure removed.
 */
export class PersonalDataEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    readonly vault: PersonalDataVault,
    private readonly logger?: PersonalDataLogger,
  ) {}

  get answersEachPosition(): boolean {
    return this.inner.answersEachPosition;
  }

  /** The answer is the store's own (revision and position): nothing written is opened again. */
  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const sealed = this.sealCached(events) ?? (await this.seal(events));
    return this.inner.append(streamId, sealed, expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(streamId, options);
    return this.openCached(events) ?? this.open(events);
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.inner.streamRevision(streamId);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readAll(options);
    return this.openCached(events) ?? this.open(events);
  }

  headPosition(): Promise<Position | null> {
    return this.inner.headPosition();
  }

  checkPosition(position: Position): Promise<PositionCheck> {
    return this.inner.checkPosition(position);
  }

  countAfter(after: Position | undefined): Promise<number | null> {
    return this.inner.countAfter(after);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe({ ...options, onBatch: async (events) => options.onBatch(await this.open(events)) });
  }

  /** Closes the store underneath and the key store. */
  async close(): Promise<void> {
    await Promise.all([this.inner.close(), this.vault.close()]);
  }

  /** Seals the personal fields of events about to be appended. */
  async seal(events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    const personal = personalOf(events);
    if (personal.length === 0) return events;
    const keys = await this.vault.keys(
      personal.map((p) => p.owner),
      true,
    );
    return this.sealWith(events, personal, keys);
  }

  /** Opens the personal fields of stored events; erased ones read as null. */
  async open(events: readonly StoredEvent[]): Promise<StoredEvent[]> {
    const personal = personalOf(events);
    if (personal.length === 0) return events as StoredEvent[];
    const keys = await this.vault.keys(
      personal.map((p) => p.owner),
      false,
    );
    return this.openWith(events, personal, keys);
  }

  /** `seal` without leaving the event-loop turn, when every key is in memory; null otherwise. */
  private sealCached(events: readonly NewEvent[]): readonly NewEvent[] | null {
    const personal = personalOf(events);
    if (personal.length === 0) return events;
    const keys = this.vault.cachedKeys(personal.map((p) => p.owner));
    return keys && this.sealWith(events, personal, keys);
  }

  private openCached(events: readonly StoredEvent[]): StoredEvent[] | null {
    const personal = personalOf(events);
    if (personal.length === 0) return events as StoredEvent[];
    const keys = this.vault.cachedKeys(personal.map((p) => p.owner));
    return keys && this.openWith(events, personal, keys);
  }

  private sealWith(
    events: readonly NewEvent[],
    personal: readonly Personal<NewEvent>[],
    keys: ReadonlyMap<string, OwnerKey>,
  ): readonly NewEvent[] {
    const out = [...events];
    for (const { index, event, fields, owner } of personal) {
      const key = keys.get(owner) ?? 'none';
      const data: Data = { ...(event.data as Data) };
      for (const field of fields.fields) {
        const value = data[field];
        if (value === null || value === undefined) continue;
        // A removed user's key is gone: whatever still names them is stored erased.
        data[field] = Buffer.isBuffer(key) ? this.vault.sealField(key, owner, field, value) : null;
      }
      out[index] = { ...event, data };
    }
    return out;
  }

  private openWith(
    events: readonly StoredEvent[],
    personal: readonly Personal<StoredEvent>[],
    keys: ReadonlyMap<string, OwnerKey>,
  ): StoredEvent[] {
    const out = [...events];
    for (const { index, event, fields, owner } of personal) {
      const key = keys.get(owner) ?? 'none';
      const data: Data = { ...(event.data as Data) };
      for (const field of fields.fields) data[field] = this.openValue(key, owner, field, data[field], event);
      out[index] = { ...event, data };
    }
    return out;
  }

  private openValue(key: OwnerKey, owner: string, field: string, value: unknown, event: StoredEvent): unknown {
    if (value === null || value === undefined) return value ?? null;
    if (!isSealed(value)) return key === 'destroyed' ? null : value;
    if (!Buffer.isBuffer(key)) return null;
    try {
      return this.vault.openField(key, owner, field, value);
    } catch {
      this.logger?.warn('a sealed personal field does not open with its owner’s key', {
        eventId: event.id,
        position: event.position.toString(),
        field,
      });
      return null;
    }
  }
}
