import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type EventStoreUrl =
  | { readonly kind: 'sqlite'; readonly file: string }
  /** `memory:packed`: positions in EventStoreDB's packed form, for tests of what clients send. */
  | { readonly kind: 'memory'; readonly positions?: 'packed' }
  | { readonly kind: 'esdb'; readonly url: string };
/** Whether the log's positions are EventStoreDB's packed pairs (`commit << 64 | prepare`) rather than plain numbers. */
export function packsPositions(store: EventStoreUrl): boolean {
  return store.kind === 'esdb' || (store.kind === 'memory' && store.positions === 'packed');
}

export type ReadStoreUrl =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'mongodb'; readonly url: string };

/** Where personal-data keys live: outside the event log, never dropped by a rebuild. */
export type KeyStoreUrl =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'mongodb'; readonly url: string };

/** Where media bytes live (decision 0023-media-blob-store): files under DATA_DIR/media, or MongoDB GridFS. */
export type BlobStoreUrl = { readonly kind: 'disk'; readonly dir: string } | { readonly kind: 'gridfs'; readonly url: string };

/** What an upload may be (issue #15). */
export interface MediaLimits {
  /** Largest upload in bytes; a bigger one is refused with 413 before its body is read whole. */
  readonly maxBytes: number;
  /** Most pixels (width × height) of an image decoded: decompression bombs are refused. */
  readonly maxPixels: number;
  /** Types (sniffed from the bytes) accepted. */
  readonly allowedTypes: readonly string[];
  /**
   * MEDIA_MAX_ZIP_RATIO: a zip archive may expand to at most this many times
   * its own size (or a mebibyte, if larger); beyond is a zip bomb, refused.
   */
  readonly maxZipRatio: number;
  /**
   * MEDIA_SWEEP_GRACE_SECONDS: a blob no media names is swept only once it is
   * this old, so an upload whose event is not appended yet is never touched.
   */
  readonly sweepGraceSeconds: number;
  /** MEDIA_SWEEP_INTERVAL_SECONDS: how often an API process sweeps unnamed blobs (under a lease); 0: never (the CLI's sweep-media still does). */
  readonly sweepIntervalSeconds: number;
}

/** How access and refresh tokens are signed. */
export type JwtSigning =
  | { readonly algorithm: 'HS256'; readonly secret: string }
  | { readonly algorithm: 'RS256'; readonly privateKeyPem: string; readonly publicKeyPem: string };

/** Where verification codes go: recorded for an operator (embedded), or an SMS provider's HTTP endpoint. */
export type CodeSenderConfig =
  | { readonly kind: 'log' }
  | { readonly kind: 'http'; readonly url: string; readonly token: string | null };

export interface ParleyConfig {
  readonly port: number;
  readonly host: string;
  readonly eventStore: EventStoreUrl;
  readonly readStore: ReadStoreUrl;
  readonly dataDir: string;
  /** HS256 secret; also the key of the HS256 signing below when that is chosen. */
  readonly jwtSecret: string;
  readonly jwtSigning: JwtSigning;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** `full`: an acknowledged append survives an OS crash; `normal`: only a process crash. */
  readonly sqliteSynchronous: 'full' | 'normal';
  /** Whether this API process also runs the projector (always on the embedded profile). */
  readonly projectInProcess: boolean;
  /**
   * Whether that projector runs on its own worker thread (`PROJECTOR=thread`,
   * the default with SQLite files) rather than on the API's event loop
   * (`in-process`, the only choice for memory: stores, which threads cannot share).
   */
  readonly projectorThread: boolean;
  /**
   * `thread` (default): the SQLite event log's writer (group commit, fsync)
   * runs on a worker thread; `inline`: on the API's event loop.
   */
  readonly sqliteWriter: 'thread' | 'inline';
  /** Longest wait of a query carrying X-Min-Position. */
  readonly minPositionWaitMs: number;
  /** Events a projection may trail the log by before /health answers 503 `degraded`. */
  readonly healthMaxLagEvents: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Server API key for `/v1/admin/*`; null disables the admin API. */
  readonly adminApiKey: string | null;
  /**
   * The Qiscus surfaces' app id and server secret (`/api/v2/*`); null: those surfaces answer 404.
   * `syncIntervalMs`: how often the client SDK is told to poll, having no realtime connection.
   */
  readonly qiscus: { readonly appId: string; readonly secret: string; readonly syncIntervalMs: number } | null;
  /** The OAuth client ids Windu's `/windu/o/token/` accepts (public clients: no secret). */
  readonly winduClientIds: readonly string[];
  /** PUBLIC_URL: where clients reach this installation (`https://chat.example.com`), for absolute links in what leaves it (Qiscus webhooks' file URLs); null: paths only. */
  readonly publicUrl: string | null;
  /**
   * Whether the Warmshowers session cookie carries `Secure`: `auto` sets it
   * when the request came over TLS (directly or as X-Forwarded-Proto says),
   * `always` / `never` regardless.
   */
  readonly warmshowersSecureCookie: 'auto' | 'always' | 'never';
  /** First pause between webhook delivery attempts; each retry doubles it. */
  readonly webhookRetryBaseMs: number;
  /** Consecutive failed attempts after which a webhook subscription is paused. */
  readonly webhookMaxAttempts: number;
  /** Whether webhooks may target loopback, private, link-local and other non-public addresses. */
  readonly webhookAllowPrivateNetworks: boolean;
  /** 32-byte master key that wraps each user's personal-data key. */
  readonly personalDataKey: Buffer;
  readonly keyStore: KeyStoreUrl;
  readonly codeSender: CodeSenderConfig;
  readonly verificationCodeTtlSeconds: number;
  /** Wrong codes allowed before the code is void. */
  readonly verificationMaxAttempts: number;
  /** Shortest time between two codes sent to one account. */
  readonly codeRequestIntervalSeconds: number;
  /** Most codes sent to one account in an hour. */
  readonly codeRequestsPerHour: number;
  /** Failed sign-ins (password, phone code) per account before a lockout. */
  readonly signInAccountPolicy: SignInPolicy;
  /** Failed sign-ins per client address, whichever accounts, before a lockout. */
  readonly signInAddressPolicy: SignInPolicy;
  /** Requests per client address per window on routes that need no credentials. */
  readonly publicRateLimit: { readonly max: number; readonly windowSeconds: number };
  /** Open feed connections (SSE and WebSocket) per user and API process. */
  readonly feedMaxConnectionsPerUser: number;
  /**
   * MONGODB_ALLOW_STANDALONE: let the MongoDB read store write on a server
   * without transactions (decision 0022); refused by default.
   */
  readonly mongoAllowStandalone: boolean;
  readonly blobStore: BlobStoreUrl;
  readonly media: MediaLimits;
  /**
   * LOG_REDACT_PATHS: pino paths (`req.headers.cookie`, `*.secret`) censored in
   * every log line, besides the built-in ones (credentials, phone numbers, codes).
   */
  readonly logRedactPaths: readonly string[];
  /** METRICS: `scope` (GET /metrics needs an API key with admin:metrics, the default) or `off`. */
  readonly metrics: 'scope' | 'off';
  /**
   * LEASE_TTL_MS: how long a single writer's lease (projector, webhook worker,
   * job runner) runs unrenewed; renewed every third of it. A holder that stops
   * stops writing within one renewal period; a crashed one on another host is
   * replaced after this long.
   */
  readonly leaseTtlMs: number;
  /**
   * STORE_DEADLINE_MS: the longest one call to a networked store
   * (EventStoreDB) may take before it counts as failed; an append whose
   * answer did not come in time is checked and retried, never repeated blind.
   */
  readonly storeDeadlineMs: number;
  /**
   * MONGODB_DEADLINE_MS: the longest one MongoDB call (read store, GridFS,
   * personal-data keys) may take before it counts as failed and the request
   * answers 503 STORE.UNAVAILABLE; STORE_DEADLINE_MS unless set.
   */
  readonly mongoDeadlineMs: number;
  /**
   * EVENTSTORE_LOG_INDEX: `system-projections` when the EventStoreDB server
   * runs its standard system projections, so the console's filtered log
   * pages read `$et-`/`$ce-` streams instead of the log in order; `off`.
   */
  readonly esdbLogIndex: 'system-projections' | 'off';
}

/** See libs/domain/sign-in/attempt-limit.ts. */
export interface SignInPolicy {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly lockoutSeconds: number;
  readonly maxLockoutSeconds: number;
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

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
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
  if (raw === 'memory:packed') return { kind: 'memory', positions: 'packed' };
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

/** A secret file under the data directory, created once (mode 0600) on the embedded profile. */
function generatedFile(dataDir: string, name: string, make: () => string): string {
  const file = resolve(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(dirname(file), { recursive: true });
  const content = make();
  writeFileSync(file, content, { mode: 0o600 });
  return content;
}

function readKeyFile(env: Env, name: string): string | null {
  const path = env[name];
  if (path === undefined || path === '') return null;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(name, `names a file that cannot be read: ${(error as Error).message}`);
  }
}

function jwtSigning(env: Env, dataDir: string, embedded: boolean, secret: string): JwtSigning {
  const algorithm = oneOf(env, 'JWT_ALGORITHM', ['HS256', 'RS256'], 'HS256');
  if (algorithm === 'HS256') return { algorithm, secret };
  let privateKeyPem = readKeyFile(env, 'JWT_PRIVATE_KEY_FILE');
  let publicKeyPem = readKeyFile(env, 'JWT_PUBLIC_KEY_FILE');
  if (privateKeyPem === null) {
    if (!embedded) throw new ConfigError('JWT_PRIVATE_KEY_FILE', 'is required with JWT_ALGORITHM=RS256 when the stores are not embedded');
    const pair = JSON.parse(
      generatedFile(dataDir, 'jwt-rs256.json', () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return JSON.stringify({
          privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
        });
      }),
    ) as { privateKeyPem: string; publicKeyPem: string };
    privateKeyPem = pair.privateKeyPem;
    publicKeyPem = pair.publicKeyPem;
  }
  if (!privateKeyPem.includes('PRIVATE KEY')) throw new ConfigError('JWT_PRIVATE_KEY_FILE', 'must hold a PEM private key');
  if (publicKeyPem === null) throw new ConfigError('JWT_PUBLIC_KEY_FILE', 'is required when JWT_PRIVATE_KEY_FILE is given');
  if (!publicKeyPem.includes('PUBLIC KEY')) throw new ConfigError('JWT_PUBLIC_KEY_FILE', 'must hold a PEM public key');
  return { algorithm, privateKeyPem, publicKeyPem };
}

function personalDataKey(env: Env, dataDir: string, embedded: boolean): Buffer {
  const given = env['PERSONAL_DATA_KEY'];
  const text =
    given !== undefined && given !== ''
      ? given
      : embedded
        ? generatedFile(dataDir, 'personal-data-key', () => randomBytes(32).toString('base64') + '\n').trim()
        : null;
  if (text === null) throw new ConfigError('PERSONAL_DATA_KEY', 'is required when the stores are not embedded (32 bytes, base64)');
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new ConfigError('PERSONAL_DATA_KEY', 'must be 32 bytes in base64 (e.g. openssl rand -base64 32)');
  }
  return key;
}

function keyStore(env: Env, dataDir: string, eventStore: EventStoreUrl, readStore: ReadStoreUrl): KeyStoreUrl {
  const raw = env['KEY_STORE_URL'];
  if (raw === undefined || raw === '') {
    if (eventStore.kind === 'memory') return { kind: 'memory' };
    if (readStore.kind === 'mongodb') return { kind: 'mongodb', url: readStore.url };
    return { kind: 'sqlite', file: `${dataDir}/keys.db` };
  }
  return parseReadStoreUrl(raw, 'KEY_STORE_URL');
}

function codeSender(env: Env): CodeSenderConfig {
  const url = env['SMS_PROVIDER_URL'];
  if (url === undefined || url === '') return { kind: 'log' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('SMS_PROVIDER_URL', `must be an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('SMS_PROVIDER_URL', `must be an http(s) URL, got "${url}"`);
  }
  const token = env['SMS_PROVIDER_TOKEN'];
  return { kind: 'http', url, token: token === undefined || token === '' ? null : token };
}

function adminApiKey(env: Env): string | null {
  const given = env['ADMIN_API_KEY'];
  if (given === undefined || given === '') return null;
  if (given.length < 32) throw new ConfigError('ADMIN_API_KEY', 'must be at least 32 characters long');
  if (!/^[\x21-\x7e]+$/.test(given)) throw new ConfigError('ADMIN_API_KEY', 'must be printable ASCII without spaces');
  return given;
}

/** The seed's own public client id, so that a Windu app works unchanged. */
const WINDU_SEED_CLIENT_ID = 'RoVMZF1EIpC2vcfGC864gr4NZsv0mJlyPlE3gtQY';

function winduClientIds(env: Env): readonly string[] {
  const raw = env['WINDU_CLIENT_IDS'];
  if (raw === undefined || raw === '') return [WINDU_SEED_CLIENT_ID];
  const ids = raw.split(',').map((id) => id.trim());
  const bad = ids.find((id) => !/^[A-Za-z0-9._~-]{1,100}$/.test(id));
  if (bad !== undefined) throw new ConfigError('WINDU_CLIENT_IDS', `must be client ids (letters, digits, . _ ~ -) separated by commas, got "${bad}"`);
  return ids;
}

function publicUrl(env: Env): string | null {
  const raw = env['PUBLIC_URL'];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an http or https URL such as https://chat.example.com, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError('PUBLIC_URL', `must be an http or https URL without query, fragment or credentials, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, '');
}

function qiscus(env: Env): ParleyConfig['qiscus'] {
  const appId = env['QISCUS_APP_ID'] ?? '';
  const secret = env['QISCUS_SDK_SECRET'] ?? '';
  if (appId === '' && secret === '') return null;
  if (appId === '') throw new ConfigError('QISCUS_APP_ID', 'is required with QISCUS_SDK_SECRET');
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(appId)) throw new ConfigError('QISCUS_APP_ID', 'must be 1-100 letters, digits, ".", "-" or "_"');
  if (secret === '') throw new ConfigError('QISCUS_SDK_SECRET', 'is required with QISCUS_APP_ID');
  if (secret.length < 16) throw new ConfigError('QISCUS_SDK_SECRET', 'must be at least 16 characters long');
  if (!/^[\x21-\x7e]+$/.test(secret)) throw new ConfigError('QISCUS_SDK_SECRET', 'must be printable ASCII without spaces');
  return { appId, secret, syncIntervalMs: integer(env, 'QISCUS_SYNC_INTERVAL_MS', 5000, 100, 600_000) };
}

function signInPolicies(env: Env): Pick<ParleyConfig, 'signInAccountPolicy' | 'signInAddressPolicy'> {
  const windowSeconds = integer(env, 'SIGN_IN_WINDOW', 900, 1, 86_400);
  const lockoutSeconds = integer(env, 'SIGN_IN_LOCKOUT', 900, 1, 86_400);
  const maxLockoutSeconds = integer(env, 'SIGN_IN_MAX_LOCKOUT', 86_400, 1, 30 * 86_400);
  if (maxLockoutSeconds < lockoutSeconds) {
    throw new ConfigError('SIGN_IN_MAX_LOCKOUT', `must be at least SIGN_IN_LOCKOUT (${lockoutSeconds}), got ${maxLockoutSeconds}`);
  }
  const shared = { windowSeconds, lockoutSeconds, maxLockoutSeconds };
  return {
    signInAccountPolicy: { ...shared, maxFailures: integer(env, 'SIGN_IN_MAX_FAILURES', 10, 1, 10_000) },
    signInAddressPolicy: { ...shared, maxFailures: integer(env, 'SIGN_IN_ADDRESS_MAX_FAILURES', 100, 1, 1_000_000) },
  };
}

const MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'application/zip',
  'video/mp4',
  'audio/mpeg',
  'text/plain',
  'application/octet-stream',
];
const DEFAULT_MEDIA_TYPES = MEDIA_TYPES.filter((type) => type !== 'application/octet-stream');

function blobStore(env: Env, dataDir: string, readStore: ReadStoreUrl): BlobStoreUrl {
  const raw = env['BLOB_STORE_URL'];
  if (raw === undefined || raw === '') {
    return readStore.kind === 'mongodb' ? { kind: 'gridfs', url: readStore.url } : { kind: 'disk', dir: resolve(dataDir, 'media') };
  }
  if (raw.startsWith('file:')) {
    const dir = raw.slice('file:'.length);
    if (!dir) throw new ConfigError('BLOB_STORE_URL', 'needs a directory after "file:", e.g. file:./data/media');
    return { kind: 'disk', dir: resolve(dir) };
  }
  if (raw.startsWith('mongodb://') || raw.startsWith('mongodb+srv://')) return { kind: 'gridfs', url: raw };
  throw new ConfigError('BLOB_STORE_URL', `must start with file: or mongodb://, got "${raw}"`);
}

function mediaLimits(env: Env): MediaLimits {
  const raw = env['MEDIA_ALLOWED_TYPES'];
  let allowedTypes = DEFAULT_MEDIA_TYPES;
  if (raw !== undefined && raw !== '') {
    allowedTypes = raw.split(',').map((type) => type.trim().toLowerCase());
    const unknown = allowedTypes.filter((type) => !MEDIA_TYPES.includes(type));
    if (unknown.length > 0 || allowedTypes.length === 0) {
      throw new ConfigError('MEDIA_ALLOWED_TYPES', `must list types among ${MEDIA_TYPES.join(', ')}; unknown: ${unknown.join(', ')}`);
    }
  }
  return {
    maxBytes: integer(env, 'MEDIA_MAX_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxPixels: integer(env, 'MEDIA_MAX_PIXELS', 40_000_000, 1, 1_000_000_000),
    allowedTypes,
    maxZipRatio: integer(env, 'MEDIA_MAX_ZIP_RATIO', 100, 1, 100_000),
    sweepGraceSeconds: integer(env, 'MEDIA_SWEEP_GRACE_SECONDS', 3600, 0, 30 * 24 * 3600),
    sweepIntervalSeconds: integer(env, 'MEDIA_SWEEP_INTERVAL_SECONDS', 3600, 0, 7 * 24 * 3600),
  };
}

const REDACT_PATH = /^(\*|[A-Za-z_$][\w$]*)(\.(\*|[A-Za-z_$][\w$]*)|\["[^"\]]+"\])*$/

/** Extra pino redaction paths, comma-separated; each must be a path pino can compile. */
function redactPaths(env: Env): readonly string[] {
  const raw = env['LOG_REDACT_PATHS'];
  if (raw === undefined || raw.trim() === '') return [];
  const paths = raw.split(',').map((path) => path.trim());
  const bad = paths.find((path) => !REDACT_PATH.test(path));
  if (bad !== undefined) throw new ConfigError('LOG_REDACT_PATHS', `must be comma-separated paths such as req.headers.cookie or *.secret, got "${bad}"`);
  return paths;
}

export function loadConfig(env: Env = process.env): ParleyConfig {
  const dataDir = resolve(env['DATA_DIR'] || './data');
  const eventStore = parseEventStoreUrl(env['EVENT_STORE_URL'] || `sqlite:${dataDir}/events.db`);
  const readStore = parseReadStoreUrl(env['READ_STORE_URL'] || `sqlite:${dataDir}/read.db`);
  const embedded = eventStore.kind !== 'esdb' && readStore.kind !== 'mongodb';
  const onFiles = eventStore.kind === 'sqlite' && readStore.kind === 'sqlite';
  const projectorMode = oneOf(
    env,
    'PROJECTOR',
    ['thread', 'in-process', 'external'],
    embedded ? (onFiles ? 'thread' : 'in-process') : 'external',
  );
  if (projectorMode === 'external' && eventStore.kind !== 'esdb' && eventStore.kind !== 'sqlite') {
    throw new ConfigError('PROJECTOR', 'can be external only with a shared event store (sqlite: or esdb://)');
  }
  if (projectorMode === 'thread' && !onFiles) {
    throw new ConfigError('PROJECTOR', 'can be thread only with SQLite files for both stores (sqlite: event and read stores)');
  }
  const secret = jwtSecret(env, dataDir, embedded);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    eventStore,
    readStore,
    dataDir,
    jwtSecret: secret,
    jwtSigning: jwtSigning(env, dataDir, embedded, secret),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL', 900, 30, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL', 30 * 86_400, 60, 365 * 86_400),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['full', 'normal'], 'full'),
    projectInProcess: projectorMode !== 'external',
    projectorThread: projectorMode === 'thread',
    sqliteWriter: oneOf(env, 'SQLITE_WRITER', ['thread', 'inline'], 'thread'),
    minPositionWaitMs: integer(env, 'MIN_POSITION_WAIT_MS', 5000, 0, 60_000),
    healthMaxLagEvents: integer(env, 'HEALTH_MAX_LAG_EVENTS', 10_000, 1, 1_000_000),
    leaseTtlMs: integer(env, 'LEASE_TTL_MS', 15_000, 300, 600_000),
    storeDeadlineMs: integer(env, 'STORE_DEADLINE_MS', 10_000, 100, 600_000),
    esdbLogIndex: oneOf(env, 'EVENTSTORE_LOG_INDEX', ['system-projections', 'off'], 'off'),
    mongoDeadlineMs: integer(env, 'MONGODB_DEADLINE_MS', integer(env, 'STORE_DEADLINE_MS', 10_000, 100, 600_000), 100, 600_000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], 'info'),
    adminApiKey: adminApiKey(env),
    qiscus: qiscus(env),
    winduClientIds: winduClientIds(env),
    publicUrl: publicUrl(env),
    warmshowersSecureCookie: oneOf(env, 'WARMSHOWERS_SECURE_COOKIE', ['auto', 'always', 'never'], 'auto'),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1000, 1, 3_600_000),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    webhookAllowPrivateNetworks: flag(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    personalDataKey: personalDataKey(env, dataDir, embedded),
    keyStore: keyStore(env, dataDir, eventStore, readStore),
    codeSender: codeSender(env),
    verificationCodeTtlSeconds: integer(env, 'VERIFICATION_CODE_TTL', 600, 30, 86_400),
    verificationMaxAttempts: integer(env, 'VERIFICATION_MAX_ATTEMPTS', 5, 1, 20),
    codeRequestIntervalSeconds: integer(env, 'CODE_REQUEST_INTERVAL', 30, 0, 3600),
    codeRequestsPerHour: integer(env, 'CODE_REQUESTS_PER_HOUR', 5, 1, 100),
    ...signInPolicies(env),
    publicRateLimit: {
      max: integer(env, 'RATE_LIMIT_MAX', 300, 1, 10_000_000),
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW', 60, 1, 86_400),
    },
    feedMaxConnectionsPerUser: integer(env, 'FEED_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
    mongoAllowStandalone: oneOf(env, 'MONGODB_ALLOW_STANDALONE', ['true', 'false'], 'false') === 'true',
    blobStore: blobStore(env, dataDir, readStore),
    media: mediaLimits(env),
    logRedactPaths: redactPaths(env),
    metrics: oneOf(env, 'METRICS', ['scope', 'off'], 'scope'),
  };
}
