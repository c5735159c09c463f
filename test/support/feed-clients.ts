import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';

/** One dispatched Server-Sent Event. */
export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/** The JSON envelope of a feed message. */
export interface FeedEnvelope {
  readonly type: string;
  readonly position: string;
  readonly streamId: string;
  readonly recordedAt: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly correlationId: string | null };
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body}`);
  }
}

/** Waits until `check()` holds, polling; fails with `describe()` after `timeoutMs`. */
async function until(check: () => boolean, describe: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A minimal EventSource over Node's http client: parses the stream as the
 * HTML spec says (fields, comments, blank line dispatches) and keeps every
 * event, raw text included.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  raw = '';
  ended = false;
  private buffer = '';

  private constructor(
    private readonly request: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.raw += chunk;
      this.buffer += chunk;
      this.parse();
    });
    const end = () => {
      this.ended = true;
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  static connect(
    baseUrl: string,
    token: string | null,
    options: { lastEventId?: string; from?: string; query?: string } = {},
  ): Promise<SseClient> {
    const url = new URL('/v1/me/feed', baseUrl);
    if (options.from !== undefined) url.searchParams.set('from', options.from);
    const path = url.pathname + url.search + (options.query ? (url.search ? '&' : '?') + options.query : '');
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: 'GET',
          agent: false,
          headers: {
            accept: 'text/event-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(options.lastEventId !== undefined ? { 'last-event-id': options.lastEventId } : {}),
          },
        },
        (response) => {
          if (response.statusCode !== 200) {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => reject(new HttpStatusError(response.statusCode ?? 0, body)));
            return;
          }
          const client = new SseClient(request, response);
          // The server writes its first line once the session is registered with the hub.
          void until(() => client.raw.length > 0 || client.ended, () => 'no first chunk', 5000).then(
            () => resolve(client),
            reject,
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  /** The feed messages (every event but `error`), parsed. */
  get messages(): FeedEnvelope[] {
    return this.events.filter((e) => e.event !== 'error').map((e) => JSON.parse(e.data) as FeedEnvelope);
  }

  get lastEventId(): string | null {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.id !== null) return this.events[i]!.id;
    return null;
  }

  waitForPosition(position: string, timeoutMs = 10_000): Promise<void> {
    return until(
      () => this.events.some((e) => e.id === position),
      () => `SSE event ${position} never came; got ${this.events.map((e) => `${e.event}@${e.id}`).join(', ')}`,
      timeoutMs,
    );
  }

  waitForEnd(timeoutMs = 10_000): Promise<void> {
    return until(() => this.ended, () => 'the SSE stream did not end', timeoutMs);
  }

  close(): void {
    this.request.destroy();
  }

  private parse(): void {
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!match) return;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      let id: string | null = null;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r\n|\n|\r/)) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'id') id = value;
        else if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) this.events.push({ id, event, data: data.join('\n') });
    }
  }
}

/** The WebSocket feed: every message kept, parsed. */
export class WsClient {
  readonly messages: (FeedEnvelope | { type: 'error'; code: string; message: string })[] = [];
  closeCode: number | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    socket.on('close', (code) => {
      this.closeCode = code;
    });
  }

  static connect(baseUrl: string, options: { token?: string; from?: string; protocols?: string[] } = {}): Promise<WsClient> {
    const url = new URL('/v1/me/feed/ws', baseUrl.replace(/^http/, 'ws'));
    if (options.token) url.searchParams.set('access_token', options.token);
    if (options.from !== undefined) url.searchParams.set('from', options.from);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options.protocols ?? []);
      const client = new WsClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => reject(new HttpStatusError(response.statusCode ?? 0, body)));
      });
      socket.once('error', reject);
    });
  }

  get feed(): FeedEnvelope[] {
    return this.messages.filter((m): m is FeedEnvelope => m.type !== 'error');
  }

  waitForPosition(position: string, timeoutMs = 10_000): Promise<void> {
    return until(
      () => this.feed.some((m) => m.position === position),
      () => `WebSocket message ${position} never came; got ${this.feed.map((m) => `${m.type}@${m.position}`).join(', ')}`,
      timeoutMs,
    );
  }

  waitForClose(timeoutMs = 10_000): Promise<void> {
    return until(() => this.closeCode !== null, () => 'the WebSocket did not close', timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
