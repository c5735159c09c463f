import type { Socket } from 'node:net';
import type { ErrorBody } from './error-body';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** What Node's HTTP parser refused, as the one error body. */
export function clientErrorBody(error: Error & { code?: string }): ErrorBody {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { statusCode: 408, code: 'REQUEST.TIMEOUT', message: 'The request was not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { statusCode: 431, code: 'REQUEST.HEADERS_TOO_LARGE', message: 'The request headers are too large' };
    default:
      return { statusCode: 400, code: 'REQUEST.MALFORMED', message: 'The request is not valid HTTP/1.1' };
  }
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (bad
 * syntax, oversized headers, timeouts) never reach Nest, so they are answered
 * here, on the socket, with the same body as every other error.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body = clientErrorBody(error);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${REASONS[body.statusCode] ?? 'Error'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}
