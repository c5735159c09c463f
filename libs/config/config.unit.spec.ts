import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the embedded profile under ./data with port 3000', () => {
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.eventStore).toEqual({ kind: 'sqlite', file: join(dir, 'events.db') });
    expect(config.readStore).toEqual({ kind: 'sqlite', file: join(dir, 'read.db') });
    expect(config.projectInProcess).toBe(true);
    expect(config.sqliteSynchronous).toBe('full');
  });

  it('runs the SQLite writer and the projector off the event loop by default, on threads', () => {
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.sqliteWriter).toBe('thread');
    expect(config.projectorThread).toBe(true);
    const inMemory = loadConfig({ DATA_DIR: dir, EVENT_STORE_URL: 'memory:', READ_STORE_URL: 'memory:' });
    expect(inMemory.projectInProcess).toBe(true);
    expect(inMemory.projectorThread).toBe(false);
  });

  it('generates the JWT secret once and keeps it under the data directory', () => {
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    const second = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ EVENT_STORE_URL: 'postgres://x' }, 'EVENT_STORE_URL'],
    [{ EVENT_STORE_URL: 'sqlite:' }, 'EVENT_STORE_URL'],
    [{ READ_STORE_URL: 'redis://x' }, 'READ_STORE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ SQLITE_SYNCHRONOUS: 'sometimes' }, 'SQLITE_SYNCHRONOUS'],
    [{ SQLITE_WRITER: 'elsewhere' }, 'SQLITE_WRITER'],
    [{ PROJECTOR: 'thread', READ_STORE_URL: 'memory:' }, 'PROJECTOR'],
    [{ MIN_POSITION_WAIT_MS: '-1' }, 'MIN_POSITION_WAIT_MS'],
    [{ HEALTH_MAX_LAG_EVENTS: '0' }, 'HEALTH_MAX_LAG_EVENTS'],
    [{ HEALTH_MAX_LAG_EVENTS: 'lots' }, 'HEALTH_MAX_LAG_EVENTS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ EVENT_STORE_URL: 'esdb://localhost:2113?tls=false' }, 'JWT_SECRET'],
  ])('stops on %j, naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dir, ...env });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('accepts the production URLs with a given secret', () => {
    const config = loadConfig({
      DATA_DIR: dir,
      EVENT_STORE_URL: 'esdb://localhost:2113?tls=false',
      READ_STORE_URL: 'mongodb://localhost:27017/parley',
      JWT_SECRET: 'x'.repeat(40),
      PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(config.eventStore.kind).toBe('esdb');
    expect(config.keyStore).toEqual({ kind: 'mongodb', url: 'mongodb://localhost:27017/parley' });
    expect(config.readStore.kind).toBe('mongodb');
    expect(config.projectInProcess).toBe(false);
  });

  it('takes extra log redaction paths and the metrics switch, and names the variable of a bad value', () => {
    const config = loadConfig({ DATA_DIR: dir, LOG_REDACT_PATHS: 'req.headers.cookie, *.secret ,body["card-number"]', METRICS: 'off' });
    expect(config.logRedactPaths).toEqual(['req.headers.cookie', '*.secret', 'body["card-number"]']);
    expect(config.metrics).toBe('off');
    expect(loadConfig({ DATA_DIR: dir }).metrics).toBe('scope');
    expect(() => loadConfig({ DATA_DIR: dir, LOG_REDACT_PATHS: 'req.headers.x-api-key' })).toThrow(/LOG_REDACT_PATHS/);
    expect(() => loadConfig({ DATA_DIR: dir, METRICS: 'public' })).toThrow(/METRICS/);
  });

  it('takes the Warmshowers cookie policy and the Windu client ids, naming the variable of a bad value', () => {
    const defaults = loadConfig({ DATA_DIR: dir });
    expect(defaults.warmshowersSecureCookie).toBe('auto');
    expect(defaults.winduClientIds).toEqual(['RoVMZF1EIpC2vcfGC864gr4NZsv0mJlyPlE3gtQY']);
    const set = loadConfig({ DATA_DIR: dir, WARMSHOWERS_SECURE_COOKIE: 'always', WINDU_CLIENT_IDS: 'app-one, app.two' });
    expect(set.warmshowersSecureCookie).toBe('always');
    expect(set.winduClientIds).toEqual(['app-one', 'app.two']);
    expect(() => loadConfig({ DATA_DIR: dir, WARMSHOWERS_SECURE_COOKIE: 'yes' })).toThrow(/WARMSHOWERS_SECURE_COOKIE/);
    expect(() => loadConfig({ DATA_DIR: dir, WINDU_CLIENT_IDS: 'ok,bad id' })).toThrow(/WINDU_CLIENT_IDS/);
  });

  it('takes PUBLIC_URL without its trailing slash, and refuses what is not an http(s) URL, naming the variable', () => {
    expect(loadConfig({ DATA_DIR: dir }).publicUrl).toBeNull();
    expect(loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://chat.example.com/' }).publicUrl).toBe('https://chat.example.com');
    expect(loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://example.com/parley/' }).publicUrl).toBe('https://example.com/parley');
    for (const bad of ['chat.example.com', 'ftp://example.com', 'https://example.com/?a=1', 'https://user:pw@example.com']) {
      expect(() => loadConfig({ DATA_DIR: dir, PUBLIC_URL: bad })).toThrow(/PUBLIC_URL/);
    }
  });
});
