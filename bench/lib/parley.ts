import { HttpClient } from './http';
import { PARLEY_MAIN, sleep } from './common';
import { startServer, type ServerHandle } from './server';

export interface BenchUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

export interface BenchRoom {
  readonly id: string;
  /** Access tokens of the room's members. */
  readonly tokens: readonly string[];
}

export interface Workload {
  readonly users: readonly BenchUser[];
  readonly rooms: readonly BenchRoom[];
}

export interface ParleyServerOptions {
  readonly dataDir: string;
  /** Base environment (without PORT/HOST, which are chosen here). */
  readonly env: NodeJS.ProcessEnv;
  readonly synchronous?: 'full' | 'normal';
  readonly label?: string;
}

/** `node dist/apps/api/main.js` as a child process on 127.0.0.1, embedded profile in `dataDir` unless the env names other stores. */
export function startParley(options: ParleyServerOptions): Promise<ServerHandle> {
  const env: NodeJS.ProcessEnv = {
    // A benchmark registers and signs in thousands of users from 127.0.0.1: the per-address limit for
    // requests without credentials would measure itself. Set RATE_LIMIT_MAX to measure with it.
    RATE_LIMIT_MAX: '10000000',
    ...options.env,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
  };
  if (options.synchronous) env['SQLITE_SYNCHRONOUS'] = options.synchronous;
  else delete env['SQLITE_SYNCHRONOUS'];
  return startServer({
    label: options.label ?? 'parley',
    script: PARLEY_MAIN,
    env,
    ready: /Parley API listening/,
    startTimeoutMs: 60_000,
  });
}

const PASSWORD = 'bench password 1234';

export async function registerUser(client: HttpClient, username: string): Promise<BenchUser> {
  const created = await client.json<{ id: string }>('POST', '/v1/users', 201, {
    body: { username, password: PASSWORD, displayName: username },
  });
  const token = await client.json<{ access_token: string }>('POST', '/v1/oauth/token', 200, {
    body: { grant_type: 'password', username, password: PASSWORD },
  });
  return { id: created.id, username, token: token.access_token };
}

export async function createRoom(client: HttpClient, owner: BenchUser, name: string, participants: readonly string[]): Promise<string> {
  const room = await client.json<{ id: string }>('POST', '/v1/rooms', 201, {
    headers: { authorization: `Bearer ${owner.token}` },
    body: { name, participants },
  });
  return room.id;
}

/**
 * `users` users and `rooms` group rooms of `membersPerRoom` members each:
 * room r is owned by user r and has users r+1, r+2, ... as members (mod users),
 * the shape the synthetic log uses too.
 */
export async function setupWorkload(baseUrl: string, users: number, rooms: number, membersPerRoom = 3): Promise<Workload> {
  const client = new HttpClient(baseUrl, 4);
  try {
    const stamp = Date.now().toString(36);
    const created = await Promise.all(Array.from({ length: users }, (_, i) => registerUser(client, `bench${i}x${stamp}`)));
    const size = Math.min(membersPerRoom, users);
    const benchRooms: BenchRoom[] = [];
    for (let r = 0; r < rooms; r += 10) {
      const chunk = await Promise.all(
        Array.from({ length: Math.min(10, rooms - r) }, async (_, k) => {
          const members = Array.from({ length: size }, (_, m) => created[(r + k + m) % created.length]!);
          const [owner, ...others] = members;
          const id = await createRoom(client, owner!, `bench room ${r + k}`, others.map((u) => u.id));
          return { id, tokens: members.map((u) => u.token) };
        }),
      );
      benchRooms.push(...chunk);
    }
    await waitSettled(client, 60_000);
    return { users: created, rooms: benchRooms };
  } finally {
    client.close();
  }
}

export interface HealthView {
  readonly eventStore: { readonly head: string | null };
  readonly readModels: { readonly position: string | null };
}

/** Polls GET /health until the read models passed the log head as it was when called. */
export async function waitSettled(client: HttpClient, timeoutMs: number): Promise<{ head: bigint | null; ms: number }> {
  const started = Date.now();
  // 503 `degraded` while the read models trail the log past HEALTH_MAX_LAG_EVENTS: that is what is awaited here.
  const first = await client.json<HealthView>('GET', '/health', [200, 503]);
  const head = first.eventStore.head === null ? null : BigInt(first.eventStore.head);
  if (head === null) return { head, ms: 0 };
  for (;;) {
    const now = await client.json<HealthView>('GET', '/health', [200, 503]);
    if (now.readModels.position !== null && BigInt(now.readModels.position) >= head) {
      return { head, ms: Date.now() - started };
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`read models stuck at ${String(now.readModels.position)} of ${head} after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

/** The same comment body for Parley and the baseline. */
export function commentBody(k: number): string {
  return JSON.stringify({ text: `bench comment ${k} ${'lorem ipsum '.repeat(4)}`.trim() });
}
