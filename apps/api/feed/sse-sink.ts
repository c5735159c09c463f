import type { ServerResponse } from 'node:http';
import type { FeedMessage } from './feed-audience';
import type { FeedError, FeedSink } from './feed-session';

const CLOSE_GRACE_MS = 2_000;

/** Server-Sent Events on a raw response: `id` is the log position, `event` the event type. */
export class SseSink implements FeedSink {
  constructor(private readonly response: ServerResponse) {}

  private get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  send(message: FeedMessage): Promise<void> {
    if (!this.open) return Promise.resolve();
    const written = this.response.write(`id: ${message.position}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);
    if (written) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }

  keepAlive(): void {
    if (this.open) this.response.write(': keep-alive\n\n');
  }

  close(reason: FeedError): void {
    if (!this.open) return;
    this.response.end(`event: error\ndata: ${JSON.stringify(reason)}\n\n`);
    // A client that stopped reading would hold the socket open forever.
    setTimeout(() => this.response.destroy(), CLOSE_GRACE_MS).unref();
  }
}
