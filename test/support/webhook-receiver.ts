import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
  /** ms since the receiver started. */
  readonly at: number;
  readonly position: string;
  readonly delivery: string;
}

/**
 * A webhook endpoint on 127.0.0.1 for tests: answers each request with the
 * next scripted status (then `defaultStatus`), after `delayMs`, and records
 * every request, failed ones included.
 */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  defaultStatus = 200;
  delayMs = 0;
  /** Most requests ever in flight at once. */
  maxConcurrent = 0;
  private script: number[] = [];
  private inFlight = 0;
  private readonly started = Date.now();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void receiver!.handle(request.headers, Buffer.concat(chunks).toString('utf8'), response));
    });
    receiver = new WebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The next `count` requests fail with `status`. */
  failNext(count: number, status = 500): void {
    this.script.push(...Array.from({ length: count }, () => status));
  }

  /** Requests the receiver accepted (2xx). */
  get accepted(): Receipt[] {
    return this.receipts.filter((r) => r.status >= 200 && r.status < 300);
  }

  async waitFor(check: (receiver: WebhookReceiver) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; got ${this.receipts.map((r) => `${r.position}:${r.status}`).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  waitForAccepted(position: string, timeoutMs?: number): Promise<void> {
    return this.waitFor((r) => r.accepted.some((x) => x.position === position), `an accepted delivery of ${position}`, timeoutMs);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(headers: IncomingHttpHeaders, body: string, response: import('node:http').ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const status = this.script.shift() ?? this.defaultStatus;
    this.receipts.push({
      headers,
      body,
      status,
      at: Date.now() - this.started,
      position: String(headers['x-parley-position']),
      delivery: String(headers['x-parley-delivery']),
    });
    this.inFlight--;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
  }
}

/** Whether `X-Parley-Signature` is the HMAC-SHA256 of the raw body with `secret`. */
export function signatureValid(receipt: Receipt, secret: string): boolean {
  const header = receipt.headers['x-parley-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(receipt.body).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
