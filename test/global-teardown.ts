import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Prints, once per run, how many responses were checked against the OpenAPI document (test/support/openapi-contract.ts). */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env['PARLEY_CONTRACT_DIR'];
  if (dir === undefined) return;
  let total = 0;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) total += line === '' ? 0 : Number(line);
  }
  rmSync(dir, { recursive: true, force: true });
  if (total > 0) process.stdout.write(`\n[parley] OpenAPI contract: ${total} e2e responses validated against /docs-json\n`);
}
