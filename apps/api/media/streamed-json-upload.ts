import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { DomainError, validationError } from '../../../libs/domain/errors';
import { UploadFormReader } from './streamed-form-upload';

/** The most bytes a field other than `data` may take in an upload's JSON (a type, a name, a URL). */
const SMALL_FIELD_MAX = 4096;
const BASE64_CHUNK = 64 * 1024;

const invalid = (field: string, reason: string) => validationError('REQUEST.VALIDATION_FAILED', `${field} ${reason}`, [{ field, reason }]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
/** A base64 alphabet byte (A–Z, a–z, 0–9, +, /); padding is handled apart. */
const isBase64 = (byte: number) =>
  (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2b || byte === 0x2f;

type State =
  | 'start'
  | 'key-or-close'
  | 'key'
  | 'colon'
  | 'value'
  | 'raw'
  | 'data'
  | 'data-escape'
  | 'after-value'
  | 'next-key'
  | 'end';

/**
 * Reads an upload's JSON body (`{ data: <base64>, type?, name? }`, or the
 * `{ url }` of a link) as it streams in: `data` is checked and decoded a
 * slice at a time and never held as one string; every other field is small
 * and parsed on its own. Parley therefore never parses 33 MiB of JSON in one
 * piece on the event loop. Errors name the field, as the whole-body checks do.
 */
export class UploadJsonReader {
  private state: State = 'start';
  private key: number[] = [];
  private keyEscape = false;
  private currentKey = '';
  private raw: number[] = [];
  private rawDepth = 0;
  private rawInString = false;
  private rawEscape = false;
  private readonly fields: Record<string, unknown> = {};
  private readonly seen = new Set<string>();
  private pending = '';
  private padding = 0;
  private readonly decoded: Buffer[] = [];
  private decodedBytes = 0;
  private hasData = false;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => DomainError,
    /** Fields allowed more than SMALL_FIELD_MAX characters (Trillian's base64 `thumbnail`). */
    private readonly fieldLimits: Readonly<Record<string, number>> = {},
  ) {}

  push(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      switch (this.state) {
        case 'start':
          if (isSpace(byte)) continue;
          if (byte !== 0x7b) throw invalid('body', 'must be a JSON object { data, type?, name? }');
          this.state = 'key-or-close';
          continue;
        case 'key-or-close':
        case 'next-key':
          if (isSpace(byte)) continue;
          if (byte === 0x7d && this.state === 'key-or-close') {
            this.state = 'end';
            continue;
          }
          if (byte !== QUOTE) throw invalid('body', 'is not valid JSON (a field name was expected)');
          this.key = [];
          this.keyEscape = false;
          this.state = 'key';
          continue;
        case 'key':
          if (!this.keyEscape && byte === QUOTE) {
            this.currentKey = this.parseKey();
            this.state = 'colon';
            continue;
          }
          this.keyEscape = !this.keyEscape && byte === BACKSLASH;
          this.key.push(byte);
          if (this.key.length > 64) throw invalid('body', 'has a field name longer than 64 characters');
          continue;
        case 'colon':
          if (isSpace(byte)) continue;
          if (byte !== 0x3a) throw invalid('body', 'is not valid JSON (a colon was expected)');
          this.state = 'value';
          continue;
        case 'value':
          if (isSpace(byte)) continue;
          if (this.currentKey === 'data' && byte === QUOTE) {
            this.hasData = true;
            this.state = 'data';
            continue;
          }
          this.raw = [];
          this.rawDepth = 0;
          this.rawInString = false;
          this.rawEscape = false;
          this.state = 'raw';
          i--;
          continue;
        case 'raw':
          if (this.rawInString) {
            if (this.rawEscape) this.rawEscape = false;
            else if (byte === BACKSLASH) this.rawEscape = true;
            else if (byte === QUOTE) this.rawInString = false;
          } else if (byte === QUOTE) {
            this.rawInString = true;
          } else if (byte === 0x7b || byte === 0x5b) {
            this.rawDepth++;
          } else if ((byte === 0x7d || byte === 0x5d) && this.rawDepth > 0) {
            this.rawDepth--;
          } else if ((byte === 0x2c || byte === 0x7d) && this.rawDepth === 0) {
            this.endRaw();
            this.state = 'after-value';
            i--;
            continue;
          }
          this.raw.push(byte);
          if (this.raw.length > (this.fieldLimits[this.currentKey] ?? SMALL_FIELD_MAX)) {
            throw invalid(this.currentKey, `must be at most ${this.fieldLimits[this.currentKey] ?? SMALL_FIELD_MAX} characters`);
          }
          continue;
        case 'data': {
          // The run of plain base64 bytes from here, handled at once.
          let end = i;
          while (end < chunk.length && isBase64(chunk[end]!)) end++;
          if (end > i) {
            if (this.padding > 0) throw invalid('data', 'is not base64 (padding before its end)');
            this.base64(chunk.toString('latin1', i, end));
            i = end - 1;
            continue;
          }
          if (byte === 0x3d) {
            if (++this.padding > 2) throw invalid('data', 'is not base64 (more than two padding characters)');
            this.base64('=');
            continue;
          }
          if (byte === BACKSLASH) {
            this.state = 'data-escape';
            continue;
          }
          if (byte === QUOTE) {
            this.endData();
            this.state = 'after-value';
            continue;
          }
          throw invalid('data', 'is not base64');
        }
        case 'data-escape':
          // JSON writers may escape the slash ("\/"); nothing else belongs in base64.
          if (byte !== 0x2f || this.padding > 0) throw invalid('data', 'is not base64');
          this.base64('/');
          this.state = 'data';
          continue;
        case 'after-value':
          if (isSpace(byte)) continue;
          if (byte === 0x2c) {
            this.state = 'next-key';
            continue;
          }
          if (byte === 0x7d) {
            this.state = 'end';
            continue;
          }
          throw invalid('body', 'is not valid JSON (a comma or the end of the object was expected)');
        case 'end':
          if (!isSpace(byte)) throw invalid('body', 'is not valid JSON (something follows the object)');
          continue;
      }
    }
  }

  /** The small fields as a JSON object (what the route's body becomes), and the decoded bytes, if `data` was a string. */
  end(): { readonly fields: Record<string, unknown>; readonly data: Buffer | null } {
    if (this.state !== 'end') throw invalid('body', 'is not valid JSON (it ends early)');
    return { fields: this.fields, data: this.hasData ? Buffer.concat(this.decoded) : null };
  }

  private parseKey(): string {
    let key: unknown;
    try {
      key = JSON.parse(`"${Buffer.from(this.key).toString('utf8')}"`);
    } catch {
      throw invalid('body', 'is not valid JSON (a field name is malformed)');
    }
    const name = key as string;
    if (this.seen.has(name)) throw invalid(name, 'is given twice');
    this.seen.add(name);
    return name;
  }

  private endRaw(): void {
    const text = Buffer.from(this.raw).toString('utf8');
    try {
      this.fields[this.currentKey] = JSON.parse(text);
    } catch {
      throw invalid(this.currentKey, 'is not valid JSON');
    }
  }

  /** Decodes whole quartets as they come; what is left waits for the next bytes. */
  private base64(text: string): void {
    this.pending += text;
    if (this.pending.length < BASE64_CHUNK && this.padding === 0) return;
    this.flush(false);
  }

  private flush(final: boolean): void {
    const whole = final ? this.pending.length : this.pending.length - (this.pending.length % 4);
    if (whole === 0) return;
    const bytes = Buffer.from(this.pending.slice(0, whole), 'base64');
    this.pending = this.pending.slice(whole);
    this.decodedBytes += bytes.length;
    if (this.decodedBytes > this.maxBytes) throw this.tooLarge();
    this.decoded.push(bytes);
  }

  /** What was decoded so far is whole quartets: the rest must be one too. */
  private endData(): void {
    if (this.pending.length % 4 !== 0) throw invalid('data', 'is not base64 (its length is not a multiple of 4)');
    this.flush(true);
  }
}

const STREAMED_UPLOAD = Symbol('parley.streamedUpload');
interface StreamedRequest {
  [STREAMED_UPLOAD]?: { readonly data: Buffer | null } | { readonly error: DomainError };
}

/** The bytes of `data` a preParsing hook decoded from this request's JSON body: undefined when none did. */
export function streamedData(request: FastifyRequest): Buffer | null | undefined {
  const streamed = (request as unknown as StreamedRequest)[STREAMED_UPLOAD];
  if (streamed === undefined) return undefined;
  if ('error' in streamed) throw streamed.error;
  return streamed.data;
}

const isJson = (type: string | undefined) => typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
const isForm = (type: string | undefined) => typeof type === 'string' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);

/** Beyond `data`: fields an upload route takes that may be longer than a few kilobytes (Trillian's base64 `thumbnail`). */
export interface UploadFieldLimits {
  readonly [field: string]: number;
}

/**
 * A preParsing hook for upload routes: a JSON body (or a form, through
 * UploadFormReader) is read by UploadJsonReader as it streams in, `data` decoded on the way; what reaches
 * the JSON parser is only the small fields. Over `bodyLimit` bytes, or
 * `data` decoding to more than `maxBytes`, the answer is 413 at once (the
 * rest is not read); a refusal of the content waits for the handler, which
 * reports it with the field named.
 */
export function streamJsonUpload(maxBytes: number, bodyLimit: number, tooLarge: (field: string) => DomainError, fieldLimits: UploadFieldLimits = {}) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<Readable> => {
    const form = isForm(request.headers['content-type']);
    if (!form && !isJson(request.headers['content-type'])) return payload;
    const json = new UploadJsonReader(maxBytes, () => tooLarge('data'), fieldLimits);
    // A form is read as the JSON object it means: one reader checks and decodes both.
    const reader = form ? new UploadFormReader(json, ['data', ...Object.keys(fieldLimits)]) : json;
    let received = 0;
    let refused: DomainError | null = null;
    for await (const chunk of payload as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > bodyLimit) refused = tooLarge('data');
      else if (refused === null) {
        try {
          reader.push(chunk);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          refused = error;
        }
      }
      if (refused !== null && refused.category === 'too_large') {
        await reply
          .status(413)
          .header('connection', 'close')
          .header('content-type', 'application/json; charset=utf-8')
          .send({ statusCode: 413, code: refused.code, message: refused.message, details: refused.details });
        return Readable.from([]);
      }
    }
    let body: Record<string, unknown> = {};
    if (refused === null) {
      try {
        const { fields, data } = reader.end();
        body = fields;
        (request as unknown as StreamedRequest)[STREAMED_UPLOAD] = { data };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refused = error;
      }
    }
    if (refused !== null) (request as unknown as StreamedRequest)[STREAMED_UPLOAD] = { error: refused };
    const text = Buffer.from(form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body));
    // Fastify compares what it received with Content-Length: it received the whole body, through this hook.
    return Object.assign(Readable.from([text]), { receivedEncodedLength: received });
  };
}
