import type { ParleyEvent, ParleyEventType } from '../domain/events';
import type { StoredEvent } from '../event-store/event-store.port';
import type { CollectionSpec, Doc, Filter } from '../read-store/read-store.port';

/** A stored event with its data upcast to the current shape. */
export type ProjectedEvent<T extends ParleyEventType = ParleyEventType> = Omit<StoredEvent, 'data' | 'type'> &
  Extract<ParleyEvent, { type: T }>;

/**
 * What a projection handler may do: read documents (seeing the writes of the
 * current batch) and write them. Writes through `update` are guarded by the
 * event's position, so applying an event a second time changes nothing.
 */
export interface ProjectionContext {
  get(collection: string, id: string): Promise<Doc | null>;
  /**
   * Reads many documents ahead in a few queries, so that the `get`s and
   * `update`s that follow find them (or their absence) in the batch: a
   * handler touching thousands of documents (an address book of 10,000)
   * does not pay one store round trip per document.
   */
  prefetch(collection: string, ids: readonly string[]): Promise<void>;
  /**
   * The collection's documents matching `filter` as of this event: those the
   * store holds and the batch has not changed, and the batch's own. For a rare
   * event that names documents by a range (a deleted block of history); the
   * store answers from an index (none while a rebuild loads without them), and
   * every document the batch holds is looked at.
   */
  find(collection: string, filter: Filter): Promise<Doc[]>;
  /**
   * Loads the document (or starts from `init` when it does not exist and `init`
   * is given), applies `change` and stores the result stamped with the event's
   * position. Skips documents that already saw this event or a later one, and
   * missing documents without `init`. `change` returning null deletes.
   * `change` returns the document it was given or a new object, never one it
   * shares with the event or another document: the result is stamped (`id`,
   * `_position`) in place, not copied again.
   */
  update(
    collection: string,
    id: string,
    change: (doc: Doc) => Doc | null,
    init?: () => Doc,
  ): Promise<void>;
}

export type ProjectionHandlers = {
  readonly [K in ParleyEventType]?: (event: ProjectedEvent<K>, ctx: ProjectionContext) => Promise<void>;
};

/**
 * A read model: the collections it owns and, per event type, how its documents
 * change. Bump `version` when the handlers change meaning; the projector then
 * rebuilds it from position 0.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  readonly collections: readonly CollectionSpec[];
  readonly handlers: ProjectionHandlers;
  /**
   * Documents its handlers will read for an event, when known from the event
   * alone: the projector loads those of a whole batch with one `getMany` per
   * collection instead of one round trip per document (MongoDB). Optional and
   * only an optimisation: a document not named is read when first asked for.
   */
  readonly prefetch?: (event: ProjectedEvent) => readonly DocumentKey[];
}

export interface DocumentKey {
  readonly collection: string;
  readonly id: string;
}

export const checkpointName = (projection: Pick<Projection, 'name' | 'version'>) =>
  `${projection.name}@v${projection.version}`;
