import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type EventStoreUrl =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'esdb'; readonly url: string };
export type ReadStoreUrl =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'mongodb'; readonly url: string };

export interface ParleyConfig {
  readonly port: number;
  readonly host: string;
  readonly eventStore: EventStoreUrl;
  readonly readStore: ReadStoreUrl;
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** `full`: an acknowledged append survives an OS crash; `normal`: only a process crash. */
  readonly sqliteSynchronous: 'full' | 'normal';
  /** Whether this API process also runs the projector (always on the embedded profile). */
  readonly projectInProcess: boolean;
  /** Longest wait of a query carrying X-Min-Position. */
  readonly minPositionWaitMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Server API key for `/v1/admin/*`; null disables the admin API. */
  readonly adminApiKey: string | null;
  /** First pause between webhook delivery attempts; each retry doubles it. */
  readonly webhookRetryBaseMs: number;
  /** Consecutive failed attempts after which a webhook subscription is paused. */
  readonly webhookMaxAttempts: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

export function parseEventStoreUrl(raw: string, name = 'EVENT_STORE_URL'): EventStoreUrl {
  if (raw === 'memory:') return { kind: 'memory' };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (!file) throw new ConfigError(name, 'needs a file after "sqlite:", e.g. sqlite:./data/events.db');
    return { kind: 'sqlite', file };
  }
  if (raw.startsWith('esdb://') || raw.startsWith('esdb+discover://') || raw.startsWith('kurrentdb://')) {
    return { kind: 'esdb', url: raw };
  }
  throw new ConfigError(name, `must start with sqlite:, memory: or esdb://, got "${raw}"`);
}

export function parseReadStoreUrl(raw: string, name = 'READ_STORE_URL'): ReadStoreUrl {
  if (raw === 'memory:') return { kind: 'memory' };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (!file) throw new ConfigError(name, 'needs a file after "sqlite:", e.g. sqlite:./data/read.db');
    return { kind: 'sqlite', file };
  }
  if (raw.startsWith('mongodb://') || raw.startsWith('mongodb+srv://')) return { kind: 'mongodb', url: raw };
  throw new ConfigError(name, `must start with sqlite:, memory: or mongodb://, got "${raw}"`);
}

/**
 * The JWT secret: from JWT_SECRET, or on the embedded profile generated once
 * and kept under the data directory so tokens survive a restart.
 */
function jwtSecret(env: Env, dataDir: string, embedded: boolean): string {
  const given = env['JWT_SECRET'];
  if (given !== undefined && given !== '') {
    if (given.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
    return given;
  }
  if (!embedded) throw new ConfigError('JWT_SECRET', 'is required when the stores are not embedded');
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function adminApiKey(env: Env): string | null {
  const given = env['ADMIN_API_KEY'];
  if (given === undefined || given === '') return null;
  if (given.length < 32) throw new ConfigError('ADMIN_API_KEY', 'must be at least 32 characters long');
  if (!/^[\x21-\x7e]+$/.test(given)) throw new ConfigError('ADMIN_API_KEY', 'must be printable ASCII without spaces');
  return given;
}

export function loadConfig(env: Env = process.env): ParleyConfig {
  const dataDir = resolve(env['DATA_DIR'] || './data');
  const eventStore = parseEventStoreUrl(env['EVENT_STORE_URL'] || `sqlite:${dataDir}/events.db`);
  const readStore = parseReadStoreUrl(env['READ_STORE_URL'] || `sqlite:${dataDir}/read.db`);
  const embedded = eventStore.kind !== 'esdb' && readStore.kind !== 'mongodb';
  const projectorMode = oneOf(env, 'PROJECTOR', ['in-process', 'external'], embedded ? 'in-process' : 'external');
  if (projectorMode === 'external' && eventStore.kind !== 'esdb' && eventStore.kind !== 'sqlite') {
    throw new ConfigError('PROJECTOR', 'can be external only with a shared event store (sqlite: or esdb://)');
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    eventStore,
    readStore,
    dataDir,
    jwtSecret: jwtSecret(env, dataDir, embedded),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL', 900, 30, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL', 30 * 86_400, 60, 365 * 86_400),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['full', 'normal'], 'full'),
    projectInProcess: projectorMode === 'in-process',
    minPositionWaitMs: integer(env, 'MIN_POSITION_WAIT_MS', 5000, 0, 60_000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], 'info'),
    adminApiKey: adminApiKey(env),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1000, 1, 3_600_000),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
  };
}
