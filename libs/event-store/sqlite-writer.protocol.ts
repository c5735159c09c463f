import type { ExpectedRevision, Position, StoredEvent } from './event-store.port';
import type { ImportOutcome } from './import-events';
import type { PreparedEvent } from './memory-event-store';
import type { ThreadError } from '../threads/start-worker';

/** What the SQLite writer thread is started with. */
export interface WriterOptions {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
}

/** From the API to the writer thread. */
export type WriterRequest =
  | {
      readonly kind: 'append';
      readonly id: number;
      readonly streamId: string;
      readonly events: PreparedEvent[];
      readonly expected: ExpectedRevision;
    }
  | { readonly kind: 'import'; readonly id: number; readonly events: readonly StoredEvent[] }
  | { readonly kind: 'close' };

/** From the writer thread to the API; sent only after the commit it reports. */
export type WriterReply =
  | {
      readonly kind: 'appended';
      readonly id: number;
      readonly nextRevision: number;
      readonly position: Position;
      readonly positions: readonly Position[];
    }
  | { readonly kind: 'imported'; readonly id: number; readonly outcome: ImportOutcome }
  | { readonly kind: 'failed'; readonly id: number; readonly error: ThreadError }
  | { readonly kind: 'ready' }
  | { readonly kind: 'closed' };
