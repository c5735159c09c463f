import type { ExpectedRevision, Position, StoredEvent } from './event-store.port';
import type { ImportOutcome } from './import-events';
import type { PreparedEvent } from './memory-event-store';
import type { ThreadError } from '../threads/start-worker';

/** What the SQLite writer thread is started with. */
export interface WriterOptions {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
}

/** One append as it travels to the writer thread, already checked and serialised. */
export interface AppendRequest {
  readonly id: number;
  readonly streamId: string;
  readonly events: PreparedEvent[];
  readonly expected: ExpectedRevision;
}

/** How the writer answers one append of an `appends` message. */
export type AppendAnswer =
  | {
      readonly id: number;
      readonly ok: true;
      readonly nextRevision: number;
      readonly position: Position;
      readonly positions: readonly Position[];
    }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError };

/**
 * From the API to the writer thread. The appends one turn of the API's event
 * loop made travel in one message (`appends`), so a busy API pays one message
 * per turn rather than one per append.
 */
export type WriterRequest =
  | { readonly kind: 'appends'; readonly appends: readonly AppendRequest[] }
  | { readonly kind: 'import'; readonly id: number; readonly events: readonly StoredEvent[] }
  | { readonly kind: 'close' };

/**
 * From the writer thread to the API; sent only after the commit it reports.
 * The appends of one `appends` message are answered together, in one message.
 */
export type WriterReply =
  | { readonly kind: 'committed'; readonly answers: readonly AppendAnswer[] }
  | { readonly kind: 'imported'; readonly id: number; readonly outcome: ImportOutcome }
  | { readonly kind: 'failed'; readonly id: number; readonly error: ThreadError }
  | { readonly kind: 'ready' }
  | { readonly kind: 'closed' };
