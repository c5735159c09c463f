import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../libs/config/config';
import { checkpointName } from '../../libs/read-store/projection';
import { Projector } from '../../libs/read-store/projector';
import { parleyProjections } from '../../projections';
import { createEventStore, createReadStore } from '../api/infrastructure/stores';
import { Progress } from './progress';

const USAGE = `usage: parley <command>

commands:
  rebuild [--projection <name>]   drop read models and project them again from the log
  status                          log head and each projection's checkpoint
`;

async function rebuild(args: readonly string[]): Promise<void> {
  const config = loadConfig();
  const flag = args.indexOf('--projection');
  const only = flag >= 0 ? args[flag + 1] : undefined;
  const projections = only ? parleyProjections.filter((p) => p.name === only) : parleyProjections;
  if (only && projections.length === 0) {
    throw new UsageError(`unknown projection "${only}"; known: ${parleyProjections.map((p) => p.name).join(', ')}`);
  }
  const store = createEventStore(config);
  const readStore = createReadStore(config);
  try {
    const head = await store.headPosition();
    const progress = new Progress(`rebuild ${projections.map((p) => p.name).join(', ')}`, head);
    const projector = new Projector(store, readStore, projections, { batchSize: 2000 });
    const applied = await projector.rebuild((position, done) => progress.update(position, done));
    progress.finish(projector.position(), applied);
  } finally {
    await store.close();
    await readStore.close();
  }
}

async function status(): Promise<void> {
  const config = loadConfig();
  const store = createEventStore(config);
  const readStore = createReadStore(config);
  try {
    const head = await store.headPosition();
    process.stdout.write(`log head: ${head === null ? 'empty' : head.toString()}\n`);
    for (const projection of parleyProjections) {
      const checkpoint = await readStore.getCheckpoint(checkpointName(projection));
      process.stdout.write(`${checkpointName(projection)}: ${checkpoint ?? 'not built'}\n`);
    }
  } finally {
    await store.close();
    await readStore.close();
  }
}

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'rebuild':
        await rebuild(args);
        return 0;
      case 'status':
        await status();
        return 0;
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
