import type { KeyStore, StoredKey } from './key-store.port';
import type { PersonalDataVault } from './vault';

/**
 * A backup of the key store, as NDJSON: a header, then one line per owner
 * with the key still wrapped under the master key (so the file alone opens
 * nothing) or the tombstone of an erased user. A restore needs it, the master
 * key and the log's export.
 */
export const KEY_BACKUP_FORMAT = 'parley-personal-data-keys/1';

type BackupLine =
  | { readonly ownerId: string; readonly state: 'active'; readonly wrapped: string }
  | { readonly ownerId: string; readonly state: 'destroyed'; readonly destroyedAt: string };

export async function exportKeys(store: KeyStore, write: (line: string) => Promise<void> | void): Promise<number> {
  await write(JSON.stringify({ format: KEY_BACKUP_FORMAT, exportedAt: new Date().toISOString() }));
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const page = await store.list(after, 1000);
    for (const { ownerId, key } of page) {
      await write(JSON.stringify(toLine(ownerId, key)));
      count++;
    }
    if (page.length < 1000) return count;
    after = page[page.length - 1]!.ownerId;
  }
}

function toLine(ownerId: string, key: StoredKey): BackupLine {
  return key.state === 'active'
    ? { ownerId, state: 'active', wrapped: key.wrapped.toString('base64') }
    : { ownerId, state: 'destroyed', destroyedAt: key.destroyedAt };
}

export interface KeyRestore {
  /** Keys the store now holds as the backup has them. */
  readonly restored: number;
  /** Tombstones written now or already there: those users stay erased. */
  readonly erased: number;
  /** Owners whose key was already there (the same or, if a newer one, kept). */
  readonly kept: number;
}

export class KeyBackupError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'KeyBackupError';
  }
}

/**
 * Restores a backup: checks every line first (format, and that each key opens
 * under this installation's master key) and writes nothing if one fails. A
 * tombstone always wins, in the file or in the store: an erased user never
 * comes back, whatever the order of restores.
 */
export async function importKeys(store: KeyStore, vault: PersonalDataVault, lines: readonly string[]): Promise<KeyRestore> {
  const parsed: BackupLine[] = [];
  const header = parseJson(lines[0], 1) as { format?: unknown } | null;
  if (!header || header.format !== KEY_BACKUP_FORMAT) throw new KeyBackupError(1, `not a ${KEY_BACKUP_FORMAT} file`);
  lines.slice(1).forEach((text, index) => {
    const number = index + 2;
    if (text.trim() === '') return;
    const line = parseJson(text, number) as Partial<Record<string, unknown>> | null;
    if (!line || typeof line['ownerId'] !== 'string' || line['ownerId'] === '') throw new KeyBackupError(number, 'ownerId is missing');
    if (line['state'] === 'destroyed' && typeof line['destroyedAt'] === 'string') {
      parsed.push({ ownerId: line['ownerId'], state: 'destroyed', destroyedAt: line['destroyedAt'] });
    } else if (line['state'] === 'active' && typeof line['wrapped'] === 'string') {
      if (!vault.unwraps(line['ownerId'], Buffer.from(line['wrapped'], 'base64'))) {
        throw new KeyBackupError(number, 'the key does not open under this PERSONAL_DATA_KEY (another installation’s master key?)');
      }
      parsed.push({ ownerId: line['ownerId'], state: 'active', wrapped: line['wrapped'] });
    } else {
      throw new KeyBackupError(number, 'state must be "active" with wrapped, or "destroyed" with destroyedAt');
    }
  });
  let restored = 0;
  let erased = 0;
  let kept = 0;
  for (const line of parsed) {
    if (line.state === 'destroyed') {
      await store.destroy(line.ownerId, line.destroyedAt);
      erased++;
      continue;
    }
    const wrapped = Buffer.from(line.wrapped, 'base64');
    const now = await store.putIfAbsent(line.ownerId, wrapped);
    if (now.state === 'destroyed') erased++;
    else if (now.wrapped.equals(wrapped)) restored++;
    else kept++;
  }
  return { restored, erased, kept };
}

function parseJson(text: string | undefined, line: number): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new KeyBackupError(line, 'not JSON');
  }
}
