import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Probes once for a container runtime and publishes the answer to the test
 * files: suites that need EventStoreDB or MongoDB through testcontainers run
 * where one exists and skip, saying why in one line, where none does.
 */
export default async function globalSetup(): Promise<void> {
  // Where each test file leaves how many responses it checked against the OpenAPI document (see global-teardown.ts).
  process.env['PARLEY_CONTRACT_DIR'] ??= mkdtempSync(join(tmpdir(), 'parley-contract-'));
  if (process.env['PARLEY_CONTAINER_RUNTIME'] !== undefined) return;
  let available = false;
  let reason = '';
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('probe timed out after 5 s')), 5000)),
    ]);
    available = true;
  } catch (error) {
    reason = (error as Error).message.split('\n')[0] ?? 'unknown';
  }
  process.env['PARLEY_CONTAINER_RUNTIME'] = available ? 'yes' : 'no';
  process.env['PARLEY_CONTAINER_RUNTIME_REASON'] = reason;
  if (!available) {
    process.stdout.write(`\n[parley] no container runtime (${reason}): EventStoreDB and MongoDB suites will skip\n`);
  }
}
