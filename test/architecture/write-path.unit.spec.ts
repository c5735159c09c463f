import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * Parley has one write path (issue #12): a command is decided by a decider
 * and appended by the CommandPipeline, one append per command. This reads
 * the sources and lists every append call site and every pipeline call per
 * handler class, so a handler that appends on its own, or decides twice in
 * one command, fails here rather than in review.
 */

const ROOT = join(__dirname, '..', '..');

/** Where the event store's `append` may be called: the pipeline, the stores themselves, and the log's decorators. */
const APPENDERS: ReadonlySet<string> = new Set([
  'libs/command-pipeline/event-writer.ts',
  'libs/command-pipeline/command-pipeline.ts',
  // The sealing decorator hands the append on to the store it wraps.
  'libs/personal-data/personal-data-event-store.ts',
  // Feeds events to projections under test, not a command.
  'projections/testing/projection-harness.ts',
  // Copies a whole log into a store with positions of its own (cli import): events already decided, not a command.
  'libs/streaming/log-migration.ts',
]);

/**
 * Handlers still appending on their own while their owner moves them (the
 * list only shrinks: a line here fails once its file no longer appends).
 * Empty since email accounts moved: every handler writes through the pipeline.
 */
const NOT_YET_MOVED: ReadonlySet<string> = new Set<string>([]);

/**
 * Classes whose one request is several commands on several streams, each one
 * append: a reservation in a stream of its own, because an event store makes
 * a value unique per stream only; or a job whose rows are commands each.
 */
const SEVERAL_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['apps/api/users/register-user.command.ts#RegisterUserHandler', 'claims the username, then registers the account'],
  ['apps/api/users/email-accounts.ts#EmailAccounts', "claims the email address, then the account's handle, then registers the account with its address"],
  ['apps/api/jobs/qiscus-import.ts#QiscusImporter', 'claims each imported username, then registers its account; creates each imported room'],
]);

const APPEND_METHODS = new Set(['append', 'appendEach', 'appendToStream']);
const PIPELINE_METHODS = new Set(['handle', 'turn']);

function sources(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

interface CallSite {
  readonly file: string;
  readonly className: string | null;
  readonly method: string;
  readonly receiver: string;
}

function callSites(file: string): CallSite[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const rel = relative(ROOT, file).split('\\').join('/');
  const found: CallSite[] = [];
  const visit = (node: ts.Node, className: string | null): void => {
    const inClass = ts.isClassDeclaration(node) && node.name ? node.name.text : className;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      found.push({ file: rel, className: inClass, method: node.expression.name.text, receiver: node.expression.expression.getText(source) });
    }
    ts.forEachChild(node, (child) => visit(child, inClass));
  };
  visit(source, null);
  return found;
}

const sites = ['apps', 'libs', 'projections']
  .flatMap((dir) => sources(join(ROOT, dir)))
  .filter((file) => !relative(ROOT, file).startsWith('libs/event-store'))
  .flatMap(callSites);

/** An append on an event store or an event writer (not a FormData's or a URLSearchParams'). */
const isLogAppend = (site: CallSite) => APPEND_METHODS.has(site.method) && !/params|form|headers|search/i.test(site.receiver);

describe('the one write path', () => {
  it('appends to the log only inside the command pipeline', () => {
    const appending = new Set(sites.filter(isLogAppend).map((site) => site.file));
    const outside = [...appending].filter((file) => !APPENDERS.has(file) && !NOT_YET_MOVED.has(file)).sort();
    expect(outside).toEqual([]);
  });

  it('lists as not yet moved only files that still append on their own', () => {
    const appending = new Set(sites.filter(isLogAppend).map((site) => site.file));
    expect([...NOT_YET_MOVED].filter((file) => !appending.has(file))).toEqual([]);
  });

  it('decides one command per handler: one pipeline call per class, unless the class is a listed reservation', () => {
    const calls = new Map<string, number>();
    for (const site of sites) {
      if (!site.file.startsWith('apps/') || site.className === null) continue;
      if (!PIPELINE_METHODS.has(site.method) || !/pipeline$/i.test(site.receiver)) continue;
      const key = `${site.file}#${site.className}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    }
    expect(calls.size).toBeGreaterThan(20);
    const several = [...calls].filter(([key, count]) => count > 1 && !SEVERAL_COMMANDS.has(key)).map(([key]) => key);
    expect(several).toEqual([]);
  });

  it('opens a thread with one command: one pipeline call and no other command sent (decision: thread opening in one append)', () => {
    const handler = sites.filter((site) => site.file === 'apps/api/threads/create-thread.command.ts' && site.className === 'CreateThreadHandler');
    expect(handler.filter((site) => PIPELINE_METHODS.has(site.method) && /pipeline$/i.test(site.receiver))).toHaveLength(1);
    expect(handler.filter((site) => site.method === 'execute')).toEqual([]);
  });
});
