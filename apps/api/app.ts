import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ParleyConfig } from '../../libs/config/config';
import { AppModule } from './app.module';
import { CONSOLE_ROUTES } from './console/console.controller';
import { ParleyMetrics } from './infrastructure/metrics';
import type { ParleyRequest } from './auth/auth.decorators';
import { installDepthLimitedJsonParser } from './common/body-depth';
import { answerClientError } from './common/client-error';
import { ParleyLogger } from '../../libs/logging/logger';
import { claimEmbeddedWriter } from '../../libs/wiring/writer-lock';
import { CONTACTS_IMPORT_MAX_BYTES, CONTACTS_ROUTE } from './contacts/contacts.controller';
import { lazyRequestLogger } from './common/lazy-request-logger';
import { answerMethodNotAllowed } from './common/method-not-allowed';
import { createParleyDocument } from './common/openapi-document';
import { createValidationPipe } from './common/validation';
import { IMPORT_MAX_BYTES, IMPORTS_ROUTE } from './jobs/import-upload';
import { MEDIA_ROUTE } from './media/media.controller';
import { ROOM_MEDIA_ROUTE } from './media/room-media.controller';
import { ME_PHOTO_ROUTE } from './media/me-photo.controller';
import { ROOM_AVATAR_ROUTE } from './media/room-avatar.controller';
import { ADMIN_USER_MEDIA_ROUTE } from './media/admin-user-media.controller';
import { ADMIN_USER_PHOTO_ROUTE } from './media/admin-user-photo.controller';
import { TRILLIAN_AVATAR_ROUTE } from './compat/trillian/trillian-addressbook.controller';
import { ADMIN_ROOM_MEDIA_ROUTE } from './media/admin-room-media.controller';
import { TRILLIAN_GROUPCHAT_MEDIA_ROUTE, TRILLIAN_UPLOAD_FIELD_LIMITS, TRILLIAN_USER_MEDIA_ROUTE } from './compat/trillian/trillian-media.controller';
import { formUploadBodyLimit, mediaTooLarge, refuseOversizedUpload, uploadBodyLimit } from './media/upload-body';
import { streamJsonUpload } from './media/streamed-json-upload';
import { trillianUrl } from './compat/trillian/trillian-wire';
import { winduUrl } from './compat/windu/windu-shapes';

const CORRELATION = /^[\x21-\x7e]{1,128}$/;

/** Builds the Parley HTTP application (Fastify) for a configuration; `main.ts` and the tests share it. */
export async function createParleyApp(config: ParleyConfig): Promise<NestFastifyApplication> {
  const logger = new ParleyLogger(config);
  // One API process per embedded log (docs/architecture.md, "Several API processes").
  const writer = config.eventStore.kind === 'sqlite' ? claimEmbeddedWriter(config.eventStore.file) : null;
  try {
    const app = await buildApp(config, logger);
    if (writer !== null) app.getHttpAdapter().getInstance().addHook('onClose', async () => writer.release());
    return app;
  } catch (error) {
    writer?.release();
    throw error;
  }
}

async function buildApp(config: ParleyConfig, logger: ParleyLogger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Fastify's own logger is Parley's: one pino for Nest, Fastify and the workers' lines; requests are logged once, below.
    loggerInstance: logger.pino,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    trustProxy: true,
    clientErrorHandler: answerClientError,
    rewriteUrl: (request: { url?: string }) => winduUrl(trillianUrl(request.url ?? '/')),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, {
    logger,
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  app.setGlobalPrefix('v1', {
    exclude: [
      'health',
      'health/live',
      'health/ready',
      'metrics',
      ...CONSOLE_ROUTES,
      '.well-known/jwks.json',
      'vonage/{*path}',
      // The Nexmo beta's own paths: its client takes a host, no path prefix.
      'beta/{*path}',
      'beta2/{*path}',
      'api/v2/{*path}',
      { path: 'warmshowers/{*path}', method: RequestMethod.ALL },
      // The seeds' surfaces carry their own version in their own prefix.
      'trillian/v1/{*path}',
      { path: 'windu/{*path}', method: RequestMethod.ALL },
    ],
  });
  installDepthLimitedJsonParser(adapter, 'v1');
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  // Not on every route: AuthGuard applies it to the routes open to anyone (PublicRateLimit).
  await app.register(fastifyRateLimit, { global: false });
  answerMethodNotAllowed(fastify);
  // Import files (Qiscus JSON) and address books may be larger than any other body: multipart parts and this one route's JSON.
  await app.register(fastifyMultipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 6 } });
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url === IMPORTS_ROUTE && methods.includes('POST')) route.bodyLimit = IMPORT_MAX_BYTES;
    // A whole address book (10,000 entries) in one PUT.
    if (route.url === CONTACTS_ROUTE && methods.includes('PUT')) route.bodyLimit = CONTACTS_IMPORT_MAX_BYTES;
    // Media uploads: base64 JSON (or a form, on Trillian's) up to the configured size; a declared length beyond it is refused before the body is read.
    const trillianUpload = (route.url === TRILLIAN_GROUPCHAT_MEDIA_ROUTE || route.url === TRILLIAN_USER_MEDIA_ROUTE) && methods.includes('POST');
    if (
      trillianUpload ||
      ([MEDIA_ROUTE, ROOM_MEDIA_ROUTE, ADMIN_USER_MEDIA_ROUTE, ADMIN_ROOM_MEDIA_ROUTE].includes(route.url) && methods.includes('POST')) ||
      ([ME_PHOTO_ROUTE, ROOM_AVATAR_ROUTE, ADMIN_USER_PHOTO_ROUTE, TRILLIAN_AVATAR_ROUTE].includes(route.url) && methods.includes('PUT'))
    ) {
      const bodyLimit = trillianUpload ? formUploadBodyLimit(config.media.maxBytes, TRILLIAN_UPLOAD_FIELD_LIMITS.thumbnail) : uploadBodyLimit(config.media.maxBytes);
      route.bodyLimit = bodyLimit;
      route.onRequest = [refuseOversizedUpload(config.media.maxBytes, bodyLimit), ...(Array.isArray(route.onRequest) ? route.onRequest : route.onRequest ? [route.onRequest] : [])];
      // A base64 body is decoded as it streams in, never parsed as one string on the event loop.
      route.preParsing = [
        streamJsonUpload(
          config.media.maxBytes,
          bodyLimit,
          (field) => mediaTooLarge(config.media.maxBytes, field),
          trillianUpload ? TRILLIAN_UPLOAD_FIELD_LIMITS : {},
        ),
        ...(Array.isArray(route.preParsing) ? route.preParsing : route.preParsing ? [route.preParsing] : []),
      ];
    }
  });
  fastify.addHook('onRequest', async (request, reply) => {
    const given = request.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && CORRELATION.test(given) ? given : String(request.id);
    (request as ParleyRequest).correlationId = correlationId;
    void reply.header('x-correlation-id', correlationId);
  });
  const metrics = app.get(ParleyMetrics);
  fastify.addHook('onResponse', async (request, reply) => {
    // The route template, never the path: ids in paths would make every room a time series.
    metrics.request(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    // The line is built only when it is written: request lines are debug, and a busy API logs at info or above.
    if (!logger.pino.isLevelEnabled('debug')) return;
    logger.debug(
      {
        msg: 'request',
        reqId: String(request.id),
        method: request.method,
        // Without the query: it may carry personal data (a phone number to look up).
        url: request.url.split('?', 1)[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        correlationId: (request as ParleyRequest).correlationId,
        userId: (request as ParleyRequest).user?.id,
      },
      'http',
    );
  });

  // The contract: every answer described (docs/decisions/0017-openapi-contract.md).
  SwaggerModule.setup('docs', app, () => createParleyDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
