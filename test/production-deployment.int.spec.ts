import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// `yaml` comes with testcontainers' docker-compose client (a development dependency).
import { parse } from 'yaml';

/*
 * What the production image and compose file promise, checked on the files
 * themselves: no container runtime exists here to build or start them. `.ci/run`
 * also validates the compose file with `docker-compose config -q` (no .env).
 */
const root = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
};

/** The Dockerfile's instructions with continuation lines joined. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('the production image (Dockerfile)', () => {
  const lines = instructions(read('Dockerfile'));
  const runs = lines.filter((line) => line.startsWith('RUN '));

  it('builds on a current Node LTS line that engines and better-sqlite3 both accept', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)-/.exec(lines.find((line) => line.startsWith('ARG NODE_IMAGE=')) ?? '');
    expect(image).not.toBeNull();
    const major = Number(image![1]);
    // Even majors are the LTS lines; Node 20 reached its end of life in April 2026.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(Number(/>=\s*(\d+)/.exec(packageJson.engines.node)![1])).toBeLessThanOrEqual(major);
    const sqliteEngines = (JSON.parse(read('node_modules/better-sqlite3/package.json')) as { engines: { node: string } })
      .engines.node;
    expect(sqliteEngines.split('||').map((range) => range.trim())).toContain(`${major}.x`);
    // Every stage starts from that one image.
    for (const from of lines.filter((line) => line.startsWith('FROM '))) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\} AS /);
  });

  it('installs from the lockfile with every install script denied, then runs only the allowed ones', () => {
    expect(runs.some((run) => /\bnpm (install|i)\b/.test(run))).toBe(false);
    const installs = runs.flatMap((run) => run.match(/npm ci[^&]*/g) ?? []);
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const install of installs) expect(install).toContain('--ignore-scripts');
    // `npm rebuild` runs scripts: only with the names package.json's allowScripts marks true.
    const rebuild = runs.find((run) => run.includes('npm rebuild'));
    expect(rebuild).toContain("require('./package.json').allowScripts");
    expect(rebuild).toMatch(/a\[n\] === true/);
    expect(rebuild).toMatch(/if \[ -n "\$allowed" \]; then .*npm rebuild \$allowed/);
    expect(Object.entries(packageJson.allowScripts).filter(([, allowed]) => allowed).map(([name]) => name)).toEqual([
      'better-sqlite3',
    ]);
  });

  it('runs as an unprivileged user with a HEALTHCHECK the build produces', () => {
    const stages = lines.map((line, i) => (line.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
    const runtime = lines.slice(stages[stages.length - 1]);
    const user = runtime.find((line) => line.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
    expect(runtime.findIndex((line) => line.startsWith('USER '))).toBeLessThan(
      runtime.findIndex((line) => line.startsWith('CMD ')),
    );
    const healthcheck = runtime.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toMatch(/CMD \["node", "dist\/apps\/healthcheck\/main\.js"\]/);
    expect(existsSync(join(root, 'apps/healthcheck/main.ts'))).toBe(true);
  });
});

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  networks?: string[];
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
}
interface Compose {
  'x-parley-env': Record<string, string>;
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean } | null>;
}

describe('the production stack (docker-compose.yml)', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text, { merge: true }) as Compose;
  const { eventstore, mongo, api, projector } = compose.services as Record<string, ComposeService>;
  const secrets = ['JWT_SECRET', 'PERSONAL_DATA_KEY', 'MONGO_ROOT_PASSWORD', 'PARLEY_MONGO_PASSWORD'];

  it('has no fallback value for any secret: each comes from .env or the shell', () => {
    for (const name of secrets) {
      expect(text).toContain(`\${${name}}`);
      expect(text).not.toMatch(new RegExp(`\\$\\{${name}(:?-|:?\\?)`));
    }
    expect(compose['x-parley-env']['JWT_SECRET']).toBe('${JWT_SECRET}');
    expect(compose['x-parley-env']['PERSONAL_DATA_KEY']).toBe('${PERSONAL_DATA_KEY}');
  });

  it('ships .env.example naming every variable the compose file reads, with no values for secrets', () => {
    const example = read('.env.example');
    const referenced = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1]!));
    for (const name of referenced) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
    for (const name of secrets) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('runs MongoDB with authentication: root and Parley users, a replica-set key file, credentials in the URL', () => {
    expect(mongo!.environment).toMatchObject({
      MONGO_INITDB_ROOT_USERNAME: 'root',
      MONGO_INITDB_ROOT_PASSWORD: '${MONGO_ROOT_PASSWORD}',
      PARLEY_MONGO_PASSWORD: '${PARLEY_MONGO_PASSWORD}',
    });
    expect(mongo!.command).toEqual(expect.arrayContaining(['--replSet', '--keyFile']));
    for (const volume of mongo!.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./')) expect(existsSync(join(root, source))).toBe(true);
    }
    expect(read('deploy/mongo/create-parley-user.js')).toMatch(/role: 'readWrite', db: 'parley'/);
    for (const service of [api, projector]) {
      expect(service!.environment!['READ_STORE_URL']).toMatch(/^mongodb:\/\/parley:\$\{PARLEY_MONGO_PASSWORD\}@mongo:27017\/parley\?replicaSet=rs0&authSource=admin$/);
    }
  });

  it('publishes no store port; the stores sit on an internal network only the API and projector join', () => {
    expect(eventstore!.ports).toBeUndefined();
    expect(mongo!.ports).toBeUndefined();
    expect(compose.networks['stores']).toEqual({ internal: true });
    expect(eventstore!.networks).toEqual(['stores']);
    expect(mongo!.networks).toEqual(['stores']);
    expect(api!.networks).toEqual(expect.arrayContaining(['stores']));
    expect(projector!.networks).toEqual(expect.arrayContaining(['stores']));
    // EventStoreDB runs insecure: acceptable only while it is reachable on that network alone.
    expect(eventstore!.environment!['EVENTSTORE_INSECURE']).toBe('true');
    expect(compose['x-parley-env']['EVENT_STORE_URL']).toBe('esdb://eventstore:2113?tls=false');
    // The projector's lag is for the operator on this host.
    expect(projector!.ports).toEqual(['127.0.0.1:3001:3001']);
  });
});
