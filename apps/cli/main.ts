import 'reflect-metadata';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ConfigError, loadConfig, type ParleyConfig } from '../../libs/config/config';
import { parsePosition, type EventStore } from '../../libs/event-store/event-store.port';
import { verifyLogFile } from '../../libs/streaming/parallel-verify';
import { exportLog, fileLines, importLog } from '../../libs/streaming/log-transfer';
import { canImport, restoresPositions } from '../../libs/event-store/import-events';
import { importRebuilding, type ImportRebuildingOutcome } from '../../libs/streaming/import-rebuilding';
import { importFileOnThread, type ImportHooks } from '../../libs/streaming/import-file-thread';
import { compareStreams } from '../../libs/streaming/log-migration';
import { PositionMap } from '../../libs/streaming/position-map';
import { checkpointName, type Projection } from '../../libs/projection/projection';
import { Projector, readProjectionStatus, type ProjectionStatus } from '../../libs/projection/projector';
import { parleyProjections } from '../../projections';
import { createBlobStore, createEventStore, createKeyStore, createReadStore, createRebuildCommitter, withPersonalData } from '../../libs/wiring/stores';
import { exportMedia, importMedia, MANIFEST, verifyMediaArchive } from '../../libs/blob-store/media-archive';
import { sweepUnnamedBlobs } from '../../libs/blob-store/blob-sweep';
import { MEDIA_BLOBS, mediaProjection } from '../../projections/media.projection';
import { LEASES, LeaseKeeper, leaseHolder } from '../../libs/read-store/lease-keeper';
import type { ReadStore } from '../../libs/read-store/read-store.port';
import { exportKeys, importKeys, KeyBackupError } from '../../libs/personal-data/key-backup';
import { PersonalDataVault } from '../../libs/personal-data/vault';
import { Progress, ProgressLine } from './progress';
import { API_KEY_SCOPES } from '../../libs/domain/api-keys/api-key.decider';
import { DomainError } from '../../libs/domain/errors';
import { newId } from '../../libs/domain/ids';

/**
 * Events per rebuild batch: a room's documents are written once per batch
 * however many of its events the batch holds, so larger batches write less.
 * 10,000 keeps the live heap near 20 MB (bench/rebuild.bench.ts).
 */
const REBUILD_BATCH = 10_000;
/** Events a transaction of `parley import` writes. */
const IMPORT_BATCH = 10_000;

const USAGE = `usage: parley <command>

commands:
  export --out <file> [--from <position>] [--prev-hash <hex>] [--follow]
                                  write the log as chained NDJSON (gzip when <file> ends in .gz)
  verify <file>                   check an export's hash chain and trailer; names the first bad line
                                  (given a media archive's directory: its manifest and every blob's SHA-256)
  export-media --out <dir>        back up the blob store (media, still sealed) with a SHA-256 manifest
  import-media <dir>              verify a media archive, then restore its blobs (those present are kept once)
  sweep-media [--grace-seconds N] delete blobs no media names (an upload whose append failed), older than
                                  the grace (MEDIA_SWEEP_GRACE_SECONDS by default); needs the read models at the log's head
  import <file>                   verify, then restore an export (ids, positions, times kept), then rebuild;
                                  into a store with positions of its own (EventStoreDB) the events are appended
                                  with their ids, revisions and times, old -> new positions are recorded in the
                                  read store, and every stream is read back and compared event by event
  positions translate <old>...    the new position for a position of the log before an import moved it
                                  (a feed cursor, X-Min-Position, a webhook or backup checkpoint)
  rebuild [--projection <name>]   drop read models and project them again from the log; a projection
                                  that fails on an event is named with the event (exit 1), the others are built
  status                          log head, and each projection's checkpoint and state (failed: on which event)
  keys create --name <name> --scopes <scope,...>
                                  create a server API key and print it, this once
  keys list                       every API key (id, status, scopes, name), no secrets
  keys revoke <id>                revoke a key; a running API refuses it from its next request
  personal-data-keys export --out <file>
                                  back up users' personal-data keys (still wrapped) and erasure tombstones
  personal-data-keys import <file>
                                  restore such a backup (checked first; an erased user stays erased)

scopes: ${API_KEY_SCOPES.join(', ')}
`;

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

async function exportCommand(args: readonly string[]): Promise<void> {
  const out = option(args, '--out');
  if (!out) throw new UsageError('export needs --out <file>');
  const fromText = option(args, '--from');
  const from = fromText === undefined ? 0n : parsePosition(fromText);
  if (from === null) throw new UsageError(`--from must be a decimal position, got "${fromText}"`);
  const prevHash = option(args, '--prev-hash');
  if (prevHash !== undefined && !/^[0-9a-f]{64}$/.test(prevHash)) throw new UsageError('--prev-hash must be a SHA-256 hex digest');
  const follow = args.includes('--follow');
  const config = loadConfig();
  const store = createEventStore(config);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  try {
    const head = await store.headPosition();
    const progress = new Progress('export', head);
    let last: bigint = from;
    let count = 0;
    const lines = exportLog(store, {
      from,
      prevHash,
      follow,
      signal: abort.signal,
      onProgress: (position, done) => {
        last = position;
        count = done;
        progress.update(position, done);
      },
    });
    const sink = createWriteStream(out);
    if (out.endsWith('.gz')) await pipeline(Readable.from(lines), createGzip(), sink);
    else await pipeline(Readable.from(lines), sink);
    progress.finish(last, count);
  } finally {
    await store.close();
  }
}

async function exportMediaCommand(args: readonly string[]): Promise<number> {
  const out = option(args, '--out');
  if (!out) throw new UsageError('export-media needs --out <dir>');
  if (existsSync(join(out, MANIFEST))) throw new UsageError(`${out} already holds a media archive`);
  const blobs = createBlobStore(loadConfig());
  try {
    const progress = new Progress('export-media', null);
    const { count, bytes } = await exportMedia(blobs, out, (done) => progress.update(BigInt(done), done));
    progress.finish(BigInt(count), count);
    process.stdout.write(`exported ${count} blobs (${bytes} bytes) to ${out}; manifest ${join(out, MANIFEST)}\n`);
    return 0;
  } finally {
    await blobs.close();
  }
}

async function importMediaCommand(args: readonly string[]): Promise<number> {
  const dir = args[0];
  if (!dir) throw new UsageError('import-media needs a directory');
  const blobs = createBlobStore(loadConfig());
  try {
    const result = await importMedia(blobs, dir);
    if (!result.ok) {
      process.stdout.write(`REFUSED: manifest line ${result.line}: ${result.reason}; nothing was written\n`);
      return 1;
    }
    process.stdout.write(`imported ${result.imported ?? 0} blobs, ${result.present ?? 0} already present\n`);
    return 0;
  } finally {
    await blobs.close();
  }
}

async function sweepMediaCommand(args: readonly string[]): Promise<number> {
  const config = loadConfig();
  const given = option(args, '--grace-seconds');
  if (given !== undefined && !/^\d+$/.test(given)) throw new UsageError('--grace-seconds needs a whole number of seconds');
  const graceMs = (given === undefined ? config.media.sweepGraceSeconds : Number(given)) * 1000;
  const store = createEventStore(config);
  const readStore = createReadStore(config);
  const blobs = createBlobStore(config);
  const lease = new LeaseKeeper(readStore, LEASES.mediaSweep, leaseHolder(), { ttlMs: config.leaseTtlMs });
  try {
    // A blob is unnamed only if the read model has seen every upload appended so far.
    const head = await store.headPosition();
    const checkpoint = await readStore.getCheckpoint(checkpointName(mediaProjection));
    if (head !== null && (checkpoint === null || BigInt(checkpoint) < head)) {
      process.stdout.write(`REFUSED: the media read model is at ${checkpoint ?? 'nothing'}, the log at ${head}: start the API (it projects) or rebuild first; nothing was deleted\n`);
      return 1;
    }
    if (!(await lease.tick())) {
      process.stdout.write(`REFUSED: another process is sweeping (lease ${LEASES.mediaSweep}); nothing was deleted\n`);
      return 1;
    }
    const result = await sweepUnnamedBlobs(blobs, {
      named: async (address) => (await readStore.count(MEDIA_BLOBS, { address })) > 0,
      graceMs,
      now: Date.now(),
      proceed: () => lease.held(),
    });
    process.stdout.write(
      `swept ${result.swept} unnamed blobs (${result.sweptBytes} bytes) of ${result.examined}; ${result.young} unnamed within the grace of ${graceMs / 1000} s kept${result.stopped ? '; stopped early (lease lost)' : ''}\n`,
    );
    return result.stopped ? 1 : 0;
  } finally {
    await lease.stop();
    await blobs.close();
    await readStore.close();
    await store.close();
  }
}

async function verifyCommand(args: readonly string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError('verify needs a file');
  if (existsSync(join(file, MANIFEST))) {
    const check = await verifyMediaArchive(file);
    if (!check.ok) {
      process.stdout.write(`FAILED: manifest line ${check.line}: ${check.reason}\n`);
      return 1;
    }
    process.stdout.write(`OK: ${check.count} blobs, ${check.bytes} bytes, every SHA-256 matches\n`);
    return 0;
  }
  const started = Date.now();
  const result = await verifyLogFile(file);
  const seconds = (Date.now() - started) / 1000;
  if (!result.ok) {
    process.stdout.write(`FAILED: line ${result.line}: ${result.reason}\n`);
    return 1;
  }
  process.stdout.write(
    `OK: ${result.count} events, positions ${result.firstPosition ?? '-'}..${result.lastPosition ?? '-'}, final hash ${result.finalHash} (${Math.round(result.count / Math.max(seconds, 0.001))} events/s)\n`,
  );
  return 0;
}

async function importCommand(args: readonly string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError('import needs a file');
  const config = loadConfig();
  // The import writes the log's bytes as they are (personal fields stay sealed);
  // the rebuild reads them through the owners' keys.
  const store = withPersonalData(config, createEventStore(config));
  const readStore = createReadStore(config);
  try {
    if (canImport(store.inner) && restoresPositions(store.inner)) return await importWhileRebuilding(config, store, readStore, file);
    const progress = new Progress('import', null);
    const result = await importLog(store.inner, () => fileLines(file), {
      onProgress: (position, done) => progress.update(position, done),
      positionMap: new PositionMap(readStore),
    });
    if (!result.verify.ok) return refused(result.verify);
    progress.finish(await store.headPosition(), result.imported + result.skipped);
    process.stdout.write(`imported ${result.imported} events, ${result.skipped} already present\n`);
    if (result.moved !== undefined) {
      const mismatches = await compareStreams(store.inner, result.moved);
      for (const m of mismatches) {
        process.stdout.write(`FAILED: stream ${m.streamId} reads back ${m.found.count} events (hash ${m.found.hash}), the export has ${m.expected.count} (hash ${m.expected.hash})\n`);
      }
      if (mismatches.length > 0) return 1;
      process.stdout.write(
        `positions are this store's own: ${result.moved.streams.size} streams (${result.moved.events} events) read back and compared event by event; ` +
          `translate positions held outside with: parley positions translate <old>\n`,
      );
    }
    return await rebuildUnderLease(config, store, readStore, parleyProjections, 'rebuild');
  } finally {
    await store.close();
    await readStore.close();
  }
}

function refused(verify: { readonly line?: number; readonly reason?: string }): number {
  process.stdout.write(`REFUSED: line ${verify.line}: ${verify.reason}; nothing was written\n`);
  return 1;
}

/**
 * An import into a store that keeps the export's positions, rebuilt as it
 * goes: once the whole file is proven, the read models are rebuilt from the
 * events already written while the rest are written (decision 0058). Under the
 * projector lease from the start, so a running projector refuses it before
 * anything is written. An import that stops half-way (a conflict) leaves the
 * read models built from what it wrote, as a rebuild after it would.
 */
async function importWhileRebuilding(config: ParleyConfig, store: EventStore & { readonly inner: EventStore }, readStore: ReadStore, file: string): Promise<number> {
  return underProjectorLease(config, readStore, async (lease) => {
    // Both advance at once: on a terminal they share one line instead of overwriting each other.
    const line = new ProgressLine();
    const importing = new Progress('import', null, process.stderr, line);
    const rebuilding = new Progress('rebuild', null, process.stderr, line);
    const committer = createRebuildCommitter(config, readStore);
    const projector = new Projector(store, readStore, parleyProjections, { batchSize: REBUILD_BATCH, lease, committer });
    let outcome: ImportRebuildingOutcome;
    try {
      const target = config.eventStore;
      // On SQLite the import reads, proves and writes on a thread of its own; this one rebuilds meanwhile.
      const start = (hooks: ImportHooks) =>
        target.kind === 'sqlite'
          ? importFileOnThread({ eventFile: target.file, synchronous: config.sqliteSynchronous, file, batchSize: IMPORT_BATCH }, hooks)
          : importLog(store.inner, () => fileLines(file), { batchSize: IMPORT_BATCH, ...hooks });
      outcome = await importRebuilding(start, projector, {
        onImported: (position, done) => importing.update(position, done),
        onApplied: (position, done) => rebuilding.update(position, done),
      });
    } finally {
      await committer.close();
    }
    const { result, applied } = outcome;
    if (!result.verify.ok) return refused(result.verify);
    importing.finish(await store.headPosition(), result.imported + result.skipped);
    process.stdout.write(`imported ${result.imported} events, ${result.skipped} already present\n`);
    rebuilding.finish(projector.position(), applied);
    return reportFailures(projector.status());
  });
}

/**
 * Runs a rebuild under the projector lease, so that it never writes beside a
 * running projector (a stray rebuild used to move checkpoints backwards):
 * refused with 1 while another process holds it.
 */
async function underProjectorLease(
  config: Pick<ParleyConfig, 'leaseTtlMs'>,
  readStore: ReadStore,
  run: (lease: LeaseKeeper) => Promise<number>,
): Promise<number> {
  const lease = new LeaseKeeper(readStore, LEASES.projector, leaseHolder(), { ttlMs: config.leaseTtlMs });
  if (!(await lease.tick())) {
    const holder = (await readStore.getLease(LEASES.projector))?.holder ?? 'another process';
    process.stdout.write(`REFUSED: the read models' projector lease is held by ${holder}; stop that projector (or API) first, then run this again\n`);
    return 1;
  }
  lease.start();
  try {
    return await run(lease);
  } finally {
    await lease.stop();
  }
}

/** A line per failed projection, naming the event it stopped on; 1 when there is any. */
function reportFailures(statuses: readonly ProjectionStatus[]): number {
  const failed = statuses.filter((s) => s.failure !== null);
  for (const status of failed) {
    const f = status.failure!;
    process.stdout.write(
      `FAILED: projection ${status.name} stopped on event ${f.eventId} (${f.eventType}) at position ${f.position}: ${f.error}; ` +
        `its checkpoint stays at ${status.checkpoint ?? 'none'}\n`,
    );
  }
  const built = statuses.filter((s) => s.failure === null).map((s) => s.name);
  if (failed.length > 0 && built.length > 0) process.stdout.write(`built: ${built.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

/**
 * Rebuilds `projections` under the projector lease, its batches committed beside the projecting
 * (createRebuildCommitter, decision 0057); 1 when a projection failed.
 */
async function rebuildUnderLease(
  config: ParleyConfig,
  store: EventStore,
  readStore: ReadStore,
  projections: readonly Projection[],
  label: string,
): Promise<number> {
  return underProjectorLease(config, readStore, async (lease) => {
    const progress = new Progress(label, await store.headPosition());
    const committer = createRebuildCommitter(config, readStore);
    try {
      const projector = new Projector(store, readStore, projections, { batchSize: REBUILD_BATCH, lease, committer });
      const applied = await projector.rebuild((position, done) => progress.update(position, done));
      progress.finish(projector.position(), applied);
      return reportFailures(projector.status());
    } finally {
      await committer.close();
    }
  });
}

async function rebuild(args: readonly string[]): Promise<number> {
  const config = loadConfig();
  const flag = args.indexOf('--projection');
  const only = flag >= 0 ? args[flag + 1] : undefined;
  const projections = only ? parleyProjections.filter((p) => p.name === only) : parleyProjections;
  if (only && projections.length === 0) {
    throw new UsageError(`unknown projection "${only}"; known: ${parleyProjections.map((p) => p.name).join(', ')}`);
  }
  const store = withPersonalData(config, createEventStore(config));
  const readStore = createReadStore(config);
  try {
    return await rebuildUnderLease(config, store, readStore, projections, `rebuild ${projections.map((p) => p.name).join(', ')}`);
  } finally {
    await store.close();
    await readStore.close();
  }
}

/** Backs up or restores the key store: a restore needs it, PERSONAL_DATA_KEY and the log's export. */
async function personalDataKeys(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  const config = loadConfig();
  const keyStore = createKeyStore(config);
  try {
    if (action === 'export') {
      const out = option(rest, '--out');
      if (!out) throw new UsageError('personal-data-keys export needs --out <file>');
      const lines: string[] = [];
      const count = await exportKeys(keyStore, (line) => {
        lines.push(line);
      });
      writeFileSync(out, lines.join('\n') + '\n', { mode: 0o600 });
      process.stdout.write(`exported ${count} keys and tombstones to ${out}\n`);
      return 0;
    }
    if (action === 'import') {
      const file = rest[0];
      if (!file) throw new UsageError('personal-data-keys import needs a file');
      const vault = new PersonalDataVault(keyStore, config.personalDataKey);
      try {
        const result = await importKeys(keyStore, vault, readFileSync(file, 'utf8').split('\n'));
        process.stdout.write(`restored ${result.restored} keys; ${result.erased} users stay erased; ${result.kept} newer keys kept\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof KeyBackupError)) throw error;
        process.stdout.write(`REFUSED: ${error.message}; nothing was written\n`);
        return 1;
      }
    }
    throw new UsageError('personal-data-keys needs export --out <file> or import <file>');
  } finally {
    await keyStore.close();
  }
}

async function status(): Promise<void> {
  const config = loadConfig();
  const store = createEventStore(config);
  const readStore = createReadStore(config);
  try {
    const head = await store.headPosition();
    process.stdout.write(`log head: ${head === null ? 'empty' : head.toString()}\n`);
    for (const status of await readProjectionStatus(readStore, parleyProjections)) {
      const name = checkpointName(status);
      const f = status.failure;
      process.stdout.write(
        f === null
          ? `${name}: ${status.checkpoint ?? 'not built'}\n`
          : `${name}: ${status.checkpoint ?? 'not built'} FAILED on event ${f.eventId} (${f.eventType}) at position ${f.position}: ${f.error}\n`,
      );
    }
  } finally {
    await store.close();
    await readStore.close();
  }
}

/** `parley keys ...`: API keys on the configured stores, written as the API writes them (actor `cli`). */
async function keys(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  // Loaded here: the other commands need none of the API's command side.
  const { createApiKeyOn, listApiKeysOn, revokeApiKeyOn } = await import('../../libs/api-keys/api-key-operations');
  const config = loadConfig();
  const context = { actor: 'cli', correlationId: `cli-${newId()}`, causationId: `cli-keys-${action ?? ''}` };
  const store = createEventStore(config);
  try {
    switch (action) {
      case 'create': {
        const name = option(rest, '--name');
        const scopes = option(rest, '--scopes');
        if (name === undefined || scopes === undefined) throw new UsageError('keys create needs --name <name> and --scopes <scope,...>');
        const created = await createApiKeyOn(store, { name, scopes: scopes.split(',').map((s) => s.trim()).filter((s) => s !== '') }, context);
        process.stdout.write(
          `created API key ${created.id} "${created.name}" with scopes ${created.scopes.join(',')}\n` +
            `the key is shown this once; Parley stores only its hash:\n${created.key}\n`,
        );
        return 0;
      }
      case 'list': {
        const readStore = createReadStore(config);
        try {
          const items = await listApiKeysOn(store, readStore);
          if (items.length === 0) process.stdout.write('no API keys\n');
          for (const key of items) {
            process.stdout.write(
              `${key.id}  ${key.status.padEnd(7)}  ${key.createdAt}  ${key.scopes.join(',')}  ${JSON.stringify(key.name)}${key.bootstrap ? ' (bootstrap)' : ''}\n`,
            );
          }
          return 0;
        } finally {
          await readStore.close();
        }
      }
      case 'revoke': {
        const id = rest[0]?.toLowerCase();
        if (id === undefined || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
          throw new UsageError('keys revoke needs the id of a key (a UUID, see keys list)');
        }
        const result = await revokeApiKeyOn(store, id, context);
        process.stdout.write(result.written > 0 ? `revoked API key ${id}\n` : `API key ${id} was revoked already\n`);
        return 0;
      }
      default:
        throw new UsageError('keys needs create, list or revoke');
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    process.stderr.write(`parley: ${error.message} (${error.code})\n`);
    return error.category === 'validation' ? 2 : 1;
  } finally {
    await store.close();
  }
}

/** `parley positions translate <old>...`: positions of the log before an import gave it new ones. */
async function positions(args: readonly string[]): Promise<number> {
  const [action, ...olds] = args;
  if (action !== 'translate' || olds.length === 0) throw new UsageError('positions needs translate <old position>...');
  const parsed = olds.map((text) => {
    const position = parsePosition(text);
    if (position === null) throw new UsageError(`a position is a decimal number, got "${text}"`);
    return position;
  });
  const readStore = createReadStore(loadConfig());
  try {
    const map = new PositionMap(readStore);
    if ((await map.size()) === 0) {
      process.stdout.write('REFUSED: no import recorded new positions in this read store; positions are unchanged\n');
      return 1;
    }
    let refused = 0;
    for (const old of parsed) {
      const translation = await map.translate(old);
      if (translation.kind === 'mapped') {
        process.stdout.write(`${old.toString()} -> ${translation.position.toString()}\n`);
      } else {
        refused++;
        process.stdout.write(
          `${old.toString()} REFUSED: after the last imported event (${translation.lastImported?.toString() ?? 'none'}); ` +
            `the events it stands after were not imported\n`,
        );
      }
    }
    return refused > 0 ? 1 : 0;
  } finally {
    await readStore.close();
  }
}

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'rebuild':
        return await rebuild(args);
      case 'status':
        await status();
        return 0;
      case 'export':
        await exportCommand(args);
        return 0;
      case 'verify':
        return await verifyCommand(args);
      case 'export-media':
        return await exportMediaCommand(args);
      case 'import-media':
        return await importMediaCommand(args);
      case 'sweep-media':
        return await sweepMediaCommand(args);
      case 'import':
        return await importCommand(args);
      case 'keys':
        return await keys(args);
      case 'personal-data-keys':
        return await personalDataKeys(args);
      case 'positions':
        return await positions(args);
      default:
        process.stderr.write(USAGE);
        return command === undefined || command === '--help' ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`parley: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
