import type { IndexSpec } from './read-store.port';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Collection and field names become SQL identifiers in the SQLite adapter, so
 * every adapter accepts exactly what SQLite would, keeping them interchangeable.
 */
export function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`Invalid collection name ${JSON.stringify(name)}`);
  const lower = name.toLowerCase();
  if (lower === 'checkpoints' || lower === 'leases' || lower.startsWith('sqlite_')) {
    throw new Error(`Collection name ${JSON.stringify(name)} is reserved`);
  }
}

export function assertField(field: string): void {
  if (typeof field !== 'string' || !NAME.test(field)) throw new Error(`Invalid field name ${JSON.stringify(field)}`);
}

export function assertIndex(index: IndexSpec): void {
  if (index.fields.length === 0) throw new Error('An index needs at least one field');
  for (const field of index.fields) assertField(field);
  if (index.kind === 'geo' && (index.fields.length !== 1 || index.unique)) throw new Error('A geo index names one field and is not unique');
}
