import autocannon from 'autocannon';
import { commentBody, type BenchRoom } from './parley';

export interface LoadSummary {
  /** 2xx responses per second over the run. */
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  readonly statusCodes: Record<string, number>;
}

/**
 * The baseline a run is compared with: the mean of a baseline run just before
 * it and one just after. On a shared machine the baseline's own rate drifts
 * by a third within minutes; one run of it would put that drift in the ratio.
 */
export function bracketed(before: LoadSummary, after: LoadSummary): Pick<LoadSummary, 'rps' | 'p50' | 'p99'> {
  const mean = (a: number, b: number) => Math.round(((a + b) / 2) * 10) / 10;
  return { rps: (before.rps + after.rps) / 2, p50: mean(before.p50, after.p50), p99: mean(before.p99, after.p99) };
}

export interface PostLoadOptions {
  readonly url: string;
  /** Rooms with their members' tokens: request n goes to room n mod rooms, from one of its members in turn. */
  readonly rooms: readonly BenchRoom[];
  readonly connections: number;
  readonly seconds: number;
  /** Stop after this many requests even if time remains. */
  readonly maxRequests?: number;
}

/**
 * POST /v1/rooms/:roomId/comments from `connections` keep-alive connections
 * for `seconds`: each request names the next room and the next user in turn,
 * so concurrent requests are spread over the rooms.
 */
export async function postLoad(options: PostLoadOptions): Promise<LoadSummary> {
  if (options.rooms.length === 0 || options.rooms.some((r) => r.tokens.length === 0)) {
    throw new Error('postLoad needs rooms with members');
  }
  let k = 0;
  const rooms = options.rooms;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    ...(options.maxRequests ? { amount: options.maxRequests } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const n = k++;
          const room = rooms[n % rooms.length]!;
          const token = room.tokens[Math.floor(n / rooms.length) % room.tokens.length]!;
          return {
            ...request,
            method: 'POST',
            path: `/v1/rooms/${room.id}/comments`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: commentBody(n),
          };
        },
      },
    ],
  });
  return finishLoad(instance, options.seconds);
}

export function describeLoad(load: LoadSummary): string {
  const codes = Object.entries(load.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  return (
    `${load.rps.toFixed(0)} req/s (2xx), p50 ${load.p50} ms, p90 ${load.p90} ms, p99 ${load.p99} ms, max ${load.max} ms; ` +
    `${load.ok} ok, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts in ${load.seconds.toFixed(1)} s` +
    (codes ? ` [${codes}]` : '')
  );
}

/** Waits for a load run and sums it up; stops it if autocannon hangs past its own duration. */
export async function finishLoad(instance: autocannon.Instance, seconds: number): Promise<LoadSummary> {
  const watchdog = setTimeout(() => instance.stop(), (seconds + 30) * 1000);
  try {
    const result = await instance;
    const statusCodes: Record<string, number> = {};
    for (const [code, stat] of Object.entries(result.statusCodeStats)) statusCodes[code] = stat.count;
    return {
      rps: result['2xx'] / Math.max(result.duration, 1e-9),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      seconds: result.duration,
      statusCodes,
    };
  } finally {
    clearTimeout(watchdog);
  }
}
