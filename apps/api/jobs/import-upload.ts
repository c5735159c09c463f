import { HttpException, PayloadTooLargeException } from '@nestjs/common';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { basename } from 'node:path';
import { DomainError, validationError } from '../../../libs/domain/errors';
import type { JobResource } from '../../../libs/domain/events';
import { isJobResource } from '../../../libs/domain/jobs/export-job.decider';
import { hasCharactersNotInNames } from '../../../libs/domain/text';

/** Largest import file (multipart) or JSON body. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
export const IMPORTS_ROUTE = '/v1/admin/imports';
const MAX_ROWS = 100_000;


const invalid = (field: string, reason: string) =>
  validationError('IMPORT.INVALID', `${field} ${reason}`, [{ field, reason }]);

const tooLarge = () =>
  new PayloadTooLargeException({
    statusCode: 413,
    code: 'IMPORT.TOO_LARGE',
    message: `The import file is larger than ${IMPORT_MAX_BYTES / (1024 * 1024)} MB`,
  });

export interface Upload {
  readonly type: JobResource;
  readonly filename: string;
  readonly size: number;
  readonly rows: readonly unknown[];
}

/**
 * An import as a request carries it: `multipart/form-data` with `file` (a
 * JSON array in Qiscus' import format) and `type`, or JSON `{ type, rows,
 * filename? }`. Refusals are 400s naming the field; a file over the limit a 413.
 */
export function importUpload(request: FastifyRequest): Promise<Upload> | Upload {
  return request.isMultipart() ? multipartUpload(request) : jsonUpload(request.body);
}

async function multipartUpload(request: FastifyRequest): Promise<Upload> {
  let type: unknown;
  let content: Buffer | null = null;
  let filename = 'import.json';
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || content !== null) {
          part.file.resume();
          throw invalid('file', 'must be one file, sent in the field "file"');
        }
        content = await part.toBuffer();
        filename = cleanName(part.filename) ?? filename;
      } else if (part.fieldname === 'type') {
        type = part.value;
      } else {
        throw invalid(part.fieldname, 'is not a field of an import (file, type)');
      }
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    if (error instanceof DomainError || error instanceof HttpException || typeof (error as { statusCode?: unknown }).statusCode === 'number') {
      throw error;
    }
    // The multipart parser's own refusals (no boundary, a truncated or malformed part) are the client's.
    throw invalid('body', `is not valid multipart/form-data: ${(error as Error).message}`);
  }
  if (!isJobResource(type)) throw invalid('type', 'must be users, rooms or comments');
  if (content === null) throw invalid('file', 'is required (a JSON file)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch (error) {
    throw invalid('file', `is not valid JSON: ${(error as Error).message}`);
  }
  return { type, filename, size: content.length, rows: rowsOf(parsed, 'file') };
}

function jsonUpload(body: unknown): Upload {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('body', 'must be multipart/form-data (file, type) or a JSON object { type, rows }');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['type', 'rows', 'filename'].includes(key)) throw invalid(key, 'is not a field of an import (type, rows, filename)');
  }
  if (!isJobResource(fields['type'])) throw invalid('type', 'must be users, rooms or comments');
  const filename = fields['filename'];
  if (filename !== undefined && (typeof filename !== 'string' || cleanName(filename) === null)) {
    throw invalid('filename', 'must be a file name of 1 to 200 characters');
  }
  const rows = rowsOf(fields['rows'], 'rows');
  return {
    type: fields['type'],
    filename: typeof filename === 'string' ? cleanName(filename)! : 'rows.json',
    size: Buffer.byteLength(JSON.stringify(rows)),
    rows,
  };
}

function rowsOf(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be a JSON array of rows');
  if (value.length === 0) throw invalid(field, 'must hold at least one row');
  if (value.length > MAX_ROWS) throw invalid(field, `must hold at most ${MAX_ROWS} rows`);
  return value;
}

function cleanName(name: string | undefined): string | null {
  // An uploaded file's name is kept for display: what no name may hold (controls, bidi overrides) is dropped.
  const base = name ? [...basename(name.replace(/\\/g, '/'))].filter((c) => c !== '"' && !hasCharactersNotInNames(c)).join('').trim() : '';
  return base.length > 0 && base.length <= 200 ? base : null;
}
