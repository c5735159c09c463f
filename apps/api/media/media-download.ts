import { ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../../libs/domain/errors';
import { mediaProjection, roomsProjection } from '../../../projections';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors } from '../common/openapi';
import { parseRange } from './byte-range';
import type { Servable } from './media-library';

/** How a download is declared: any media type, the bytes as they are. */
const BYTES = { content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
const DOWNLOAD_HEADERS = {
  'Content-Type': { description: 'The type sniffed at upload', schema: { type: 'string' } },
  'Content-Length': { schema: { type: 'integer' } },
  ETag: { description: 'Strong: the SHA-256 of the bytes', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
  'Accept-Ranges': { schema: { type: 'string', enum: ['bytes'] } },
};

export const Download = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiResponse({ status: 200, description: 'The bytes', headers: DOWNLOAD_HEADERS, ...BYTES })(target, key, descriptor);
  ApiResponse({ status: 206, description: 'The range asked for (Range: bytes=start-end)', headers: DOWNLOAD_HEADERS, ...BYTES })(target, key, descriptor);
  ApiResponse({ status: 304, description: 'If-None-Match named the current ETag' })(target, key, descriptor);
  ApiErrors(400, 404, 416)(target, key, descriptor);
  ReadModelQuery(mediaProjection, roomsProjection)(target, key, descriptor);
};

/** Streams the bytes with their validators; a range beyond the end is 416. */
export async function serveMedia(found: Promise<Servable>, request: FastifyRequest, reply: FastifyReply, body: boolean): Promise<void> {
  const media = await found;
  void reply
    .header('etag', media.etag)
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === media.etag) {
    void reply.status(304).send();
    return;
  }
  const range = parseRange(request.headers['range'], media.size);
  if (range === 'unsatisfiable') {
    void reply
      .status(416)
      .header('content-range', `bytes */${media.size}`)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ statusCode: 416, code: 'MEDIA.RANGE_NOT_SATISFIABLE', message: `The content has ${media.size} bytes`, details: [{ field: 'Range', reason: `starts beyond the last byte (${media.size - 1})` }] });
    return;
  }
  const length = range ? range.end - range.start + 1 : media.size;
  void reply
    .status(range ? 206 : 200)
    .header('content-type', media.type)
    .header('content-length', String(length));
  if (range) void reply.header('content-range', `bytes ${range.start}-${range.end}/${media.size}`);
  if (!body) {
    void reply.send();
    return;
  }
  const stream = await media.open(range ?? undefined);
  if (stream === null) throw notFound('MEDIA.NOT_FOUND', 'Media not found');
  void reply.send(stream);
}
