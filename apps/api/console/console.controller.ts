import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { notFound } from '../../../libs/domain/errors';
import { Public } from '../auth/auth.decorators';
import { ApiErrors } from '../common/openapi';

/**
 * Nothing but this origin: scripts and styles are the files below (no inline
 * code), calls go to Parley itself, the page cannot be framed, and forms post
 * nowhere else.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Outside the /v1 prefix: the console's own paths. */
export const CONSOLE_ROUTES = [
  'console',
  'console/log',
  'console/rooms',
  'console/verify',
  'console/streams',
  'console/rooms/:roomId',
  'console/streams/:streamId',
  'console/assets/:file',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** apps/console beside apps/api, from the sources or from dist/ (the files are not compiled). */
function consoleDirectory(): string {
  const candidates = [resolve(__dirname, '..', '..', 'console'), resolve(__dirname, '..', '..', '..', '..', 'apps', 'console')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`The console's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** The console's files, read once: only these names are ever served. */
function loadFiles(): Map<string, { type: string; body: Buffer }> {
  const dir = consoleDirectory();
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return files;
}

/**
 * The audit console (issue #18): a few static files, no build step and no
 * third-party code, served with a strict Content-Security-Policy. The page
 * signs in with an API key and calls the admin API like any client.
 */
@ApiTags('console')
@Public()
@Controller('console')
export class ConsoleController {
  private readonly files = loadFiles();

  @Get()
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The console page', schema: { type: 'string' } })
  @ApiErrors(429)
  page(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  /** Deep links: the same page, which reads the path itself. */
  @Get(['log', 'rooms', 'verify', 'streams'])
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The console page', schema: { type: 'string' } })
  @ApiErrors(429)
  view(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Get(['rooms/:roomId', 'streams/:streamId'])
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The console page, opened on a room (`?at=` a position or time) or a stream', schema: { type: 'string' } })
  @ApiErrors(400, 429)
  linked(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Get('assets/:file')
  @ApiProduces('text/javascript', 'text/css', 'image/svg+xml')
  @ApiOkResponse({ description: "One of the console's scripts, style sheets or its icon", schema: { type: 'string' } })
  @ApiErrors(400, 404, 429)
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    if (file === 'index.html' || !this.files.has(file)) throw notFound('CONSOLE.NOT_FOUND', 'No such file in the console');
    this.send(reply, file);
  }

  private send(reply: FastifyReply, name: string): void {
    const file = this.files.get(name)!;
    void reply
      .header('content-type', file.type)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cache-control', 'no-cache')
      .send(file.body);
  }
}
