import { readFileSync } from 'node:fs';
import { healthTarget } from './health-target';

/**
 * The image's HEALTHCHECK: exit 0 when the process in this container answers
 * 2xx on /health, 1 otherwise (503 degraded or down, refused, or no answer in
 * time). Plain Node, no dependencies: it runs every few seconds.
 */
function main(): void {
  let target;
  try {
    target = healthTarget(readFileSync('/proc/1/cmdline', 'utf8'), process.env);
  } catch (error) {
    process.stderr.write(`healthcheck: ${(error as Error).message}\n`);
    process.exit(1);
  }
  fetch(target.url, { signal: AbortSignal.timeout(4_000) }).then(
    (response) => {
      if (!response.ok) process.stderr.write(`healthcheck: ${target.process} ${target.url} answered ${response.status}\n`);
      process.exit(response.ok ? 0 : 1);
    },
    (error: unknown) => {
      process.stderr.write(`healthcheck: ${target.process} ${target.url}: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

main();
