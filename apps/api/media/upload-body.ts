import { HttpException } from '@nestjs/common';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DomainError, tooLarge, validationError } from '../../../libs/domain/errors';
import type { ClaimedDimensions } from '../../../libs/domain/media/media-type';
import { streamedData } from './streamed-json-upload';

/** An upload as it arrived: the bytes, what the client claims they are, and the name it gave. */
export interface UploadBody {
  readonly bytes: Buffer;
  readonly claimedType: string | null;
  readonly name: string | null;
  /** Where the bytes came in (`file` or `data`): the field a refusal names. */
  readonly field: string;
  /** Dimensions the client stated (Trillian's `imagewidth` / `imageheight`): refused when the bytes disagree. */
  readonly claimedDimensions?: ClaimedDimensions;
  /** The route's own further fields (`readUpload`'s `extraFields`), as they came: strings from a form, any JSON value otherwise. */
  readonly extra: Readonly<Record<string, unknown>>;
}

const invalid = (field: string, reason: string) =>
  validationError('REQUEST.VALIDATION_FAILED', `${field} ${reason}`, [{ field, reason }]);

export const mediaTooLarge = (maxBytes: number, field = 'file') =>
  tooLarge('MEDIA.TOO_LARGE', `An upload holds at most ${maxBytes} bytes`, [{ field, reason: `more than ${maxBytes} bytes (MEDIA_MAX_BYTES)` }]);

/** The largest body an upload may come in: base64 grows the bytes by a third; a form adds its boundaries. */
export const uploadBodyLimit = (maxBytes: number): number => Math.ceil(maxBytes / 3) * 4 + 64 * 1024;

/**
 * The same for a urlencoded form carrying base64 fields of `extra` characters
 * besides `data`: each character may come as a three-character % escape.
 * The decoded bytes are still held to `maxBytes` as they stream in.
 */
export const formUploadBodyLimit = (maxBytes: number, extra: number): number => 3 * (Math.ceil(maxBytes / 3) * 4 + extra) + 64 * 1024;

const BASE64_SLICE = 1024 * 1024;

/** Strict base64 (padding included, no whitespace), checked a megabyte per event-loop turn. */
async function decodeBase64(text: string, field: string): Promise<Buffer> {
  if (text.length % 4 !== 0) throw invalid(field, 'is not base64 (its length is not a multiple of 4)');
  for (let offset = 0; offset < text.length; offset += BASE64_SLICE) {
    const slice = text.slice(offset, offset + BASE64_SLICE);
    const last = offset + BASE64_SLICE >= text.length;
    if (!(last ? /^[A-Za-z0-9+/]*={0,2}$/ : /^[A-Za-z0-9+/]*$/).test(slice)) throw invalid(field, 'is not base64');
    if (!last) await nextTurn();
  }
  return Buffer.from(text, 'base64');
}

/**
 * The upload of a request: `multipart/form-data` with one file in `fileField`,
 * or JSON `{ data: <base64>, type?, name? }` as Trillian sends it. Nothing
 * larger than `maxBytes` is read whole: the form's file stream stops at the
 * limit (413), a JSON body's `data` was decoded as it streamed in (a
 * urlencoded form's too). `extraFields`: further fields the route takes,
 * handed back as they came.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number, fileField = 'file', extraFields: readonly string[] = []): Promise<UploadBody> {
  if (request.isMultipart()) return readForm(request, maxBytes, fileField, extraFields);
  // Decoded as it streamed in (streamJsonUpload): the body holds the other fields; else decoded from the parsed body.
  const streamed = streamedData(request);
  const body = streamed ? { ...(request.body as object), data: '' } : request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('body', `must be multipart/form-data with "${fileField}" or a JSON object { data, type?, name? }`);
  }
  const fields = body as Record<string, unknown>;
  const known = ['data', 'type', 'name', ...extraFields];
  for (const key of Object.keys(fields)) if (!known.includes(key)) throw invalid(key, `is not a field of an upload (${known.join(', ')})`);
  const { data, type, name } = fields;
  if (!streamed && typeof data !== 'string') throw invalid('data', 'is required: the bytes in base64');
  if (type !== undefined && typeof type !== 'string') throw invalid('type', 'must be a media type such as image/png');
  if (name !== undefined && typeof name !== 'string') throw invalid('name', 'must be a file name');
  const bytes = streamed ?? (await decodeBase64(data as string, 'data'));
  if (bytes.length > maxBytes) throw mediaTooLarge(maxBytes, 'data');
  const extra = Object.fromEntries(extraFields.filter((key) => fields[key] !== undefined).map((key) => [key, fields[key]]));
  return { bytes, claimedType: type ?? null, name: name ?? null, field: 'data', extra };
}

async function readForm(request: FastifyRequest, maxBytes: number, fileField: string, extraFields: readonly string[]): Promise<UploadBody> {
  let found: UploadBody | null = null;
  const extra: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 4 } })) {
      if (part.type !== 'file') {
        if (extraFields.includes(part.fieldname) && typeof part.value === 'string') {
          extra[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== 'name') throw invalid(part.fieldname, `is not a field of an upload (${[fileField, 'name', ...extraFields].join(', ')})`);
        continue;
      }
      if (part.fieldname !== fileField || found !== null) {
        part.file.resume();
        throw invalid(part.fieldname, `must be one file, sent in the field "${fileField}"`);
      }
      const bytes = await part.toBuffer();
      found = { bytes, claimedType: part.mimetype || null, name: part.filename || null, field: fileField, extra: {} };
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw mediaTooLarge(maxBytes, fileField);
    if (error instanceof DomainError || error instanceof HttpException) throw error;
    if ((error as { code?: unknown }).code === 'FST_FILES_LIMIT') throw invalid(fileField, 'must be one file');
    throw invalid('body', `is not valid multipart/form-data: ${(error as Error).message}`);
  }
  if (found === null) throw invalid(fileField, 'is required: the file to upload');
  // Form fields may come before or after the file.
  return { ...found, extra };
}

/**
 * An onRequest hook for upload routes: a `Content-Length` beyond what an
 * upload of `maxBytes` can take is answered 413 at once, before any of the
 * body is read (a chunked body is cut off at the limit as it streams in).
 */
export function refuseOversizedUpload(maxBytes: number, limit = uploadBodyLimit(maxBytes)) {
  return async (request: FastifyRequest, reply: import('fastify').FastifyReply): Promise<void> => {
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (!Number.isFinite(declared) || declared <= limit) return;
    const error = mediaTooLarge(maxBytes, request.headers['content-type']?.startsWith('multipart/') ? 'file' : 'data');
    await reply
      .status(413)
      .header('connection', 'close')
      .header('content-type', 'application/json; charset=utf-8')
      .send({ statusCode: 413, code: error.code, message: error.message, details: error.details });
  };
}
