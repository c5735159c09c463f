import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { DomainError, unauthenticated } from '../../../libs/domain/errors';
import { TokenService } from '../auth/token.service';
import type { ErrorBody } from '../common/error-body';
import type { FeedMessage } from './feed-audience';
import { FeedHub, type FeedSlot } from './feed-hub';
import type { FeedError, FeedSink } from './feed-session';

export const FEED_WS_PATH = '/v1/me/feed/ws';
/** Subprotocol a browser offers (with `bearer.<token>`) and the server selects. */
export const FEED_WS_PROTOCOL = 'parley.feed.v1';
const BEARER_PROTOCOL = 'bearer.';
const HIGH_WATER_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

/** Close codes: 1001 going away, 1008 policy, 1011 server error, 1013 try again later. */
function closeCode(reason: FeedError): number {
  if (reason.code === 'SERVER.SHUTTING_DOWN') return 1001;
  if (reason.code === 'FEED.TOO_SLOW') return 1013;
  if (reason.code === 'FEED.CLIENT_GONE') return 1000;
  // Policy: the account was removed or the sign-in revoked.
  if (reason.code.startsWith('AUTH.')) return 1008;
  return 1011;
}

/** The same messages as the SSE feed, one JSON object per WebSocket message. */
class WsSink implements FeedSink {
  constructor(private readonly socket: WebSocket) {}

  send(message: FeedMessage): Promise<void> {
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      let resolved = false;
      const done = () => {
        if (!resolved) resolve();
        resolved = true;
      };
      this.socket.send(JSON.stringify(message), done);
      // Only a backed-up socket makes the session wait for the write.
      if (this.socket.bufferedAmount < HIGH_WATER_BYTES) done();
    });
  }

  keepAlive(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  close(reason: FeedError): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (reason.code !== 'FEED.CLIENT_GONE') this.socket.send(JSON.stringify({ type: 'error', ...reason }));
    this.socket.close(closeCode(reason), reason.code);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/**
 * `GET /v1/me/feed/ws` upgraded to a WebSocket on the Fastify server's
 * `upgrade` event. Browsers cannot set headers on a WebSocket, so the access
 * token comes as `?access_token=` or as a `bearer.<token>` subprotocol;
 * `?from=<position>` resumes (`?fromPreviousLog=` after a move of the log).
 */
@Injectable()
export class FeedWsGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('feed');
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(FEED_WS_PROTOCOL) ? FEED_WS_PROTOCOL : false),
  });
  private server: Server | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly hub: FeedHub,
    private readonly tokens: TokenService,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    // The hub has said goodbye (1001) on each session; give the close frames a moment.
    await Promise.all(
      [...this.wss.clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              client.terminate();
              resolve();
            }, 500);
            client.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (client.readyState === WebSocket.OPEN) client.close(1001, 'SERVER.SHUTTING_DOWN');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.upgrade(request, socket, head);
  };

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== FEED_WS_PATH) {
      refuse(socket, { statusCode: 404, code: 'ROUTE.NOT_FOUND', message: `No WebSocket endpoint at ${url.pathname}` });
      return;
    }
    let userId: string;
    let familyId: string | null;
    let from: bigint | null;
    let slot: FeedSlot;
    try {
      const token = url.searchParams.get('access_token') ?? protocolToken(request.headers['sec-websocket-protocol']);
      if (!token) {
        throw unauthenticated('AUTH.TOKEN_MISSING', `An access token is required: ?access_token= or a ${BEARER_PROTOCOL}<token> subprotocol`);
      }
      ({ id: userId, familyId } = await this.tokens.authenticate(token));
      from = await this.hub.startPosition({
        from: url.searchParams.get('from') ?? undefined,
        fromPreviousLog: url.searchParams.get('fromPreviousLog') ?? undefined,
      });
      slot = this.hub.reserve(userId);
    } catch (error) {
      if (error instanceof DomainError) {
        const statusCode =
          error.category === 'unauthenticated' ? 401 : error.category === 'validation' ? 400 : error.category === 'rate_limited' ? 429 : 403;
        const retryAfter: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
        refuse(socket, { statusCode, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }, retryAfter);
      } else {
        this.logger.error({ msg: 'feed upgrade failed', error: String(error) });
        refuse(socket, { statusCode: 500, code: 'SERVER.INTERNAL', message: 'Internal server error' });
      }
      return;
    }
    if (socket.destroyed) {
      slot.release();
      return;
    }
    let upgraded = false;
    // A handshake that never completes gives the slot back with its socket.
    socket.once('close', () => {
      if (!upgraded) slot.release();
    });
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      upgraded = true;
      const session = this.hub.open(userId, from, new WsSink(ws), familyId, slot);
      ws.on('close', () => session.close({ code: 'FEED.CLIENT_GONE', message: 'The client closed the connection' }));
      ws.on('error', () => ws.terminate());
    });
  }
}

function protocolToken(header: string | string[] | undefined): string | null {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL));
  return bearer ? bearer.slice(BEARER_PROTOCOL.length) : null;
}

function refuse(socket: Duplex, body: ErrorBody, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode] ?? ''}\r\n` +
      Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      'Connection: close\r\n\r\n' +
      json,
  );
}
