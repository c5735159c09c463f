import * as cryptoModule from 'node:crypto';
import { createHash } from 'node:crypto';
import { EVENT_VERSIONS, isParleyEventType } from '../domain/events';
import type { EventMetadata, Position, StoredEvent } from '../event-store/event-store.port';

/**
 * Parley's export format: NDJSON, one line a record.
 *
 *   {"kind":"header","format":"parley-log/1","from":"0","prevHash":"<hex>"}
 *   {"position":"1","id":…,"type":…,"version":1,"streamId":…,"revision":0,"recordedAt":…,"data":…,"metadata":…,"hash":"<hex>"}
 *   …
 *   {"kind":"trailer","count":N,"firstPosition":"1","lastPosition":"N","finalHash":"<hex>"}
 *
 * Each event line's hash is SHA-256 over the previous hash, a newline and the
 * line's own text up to (not including) `,"hash"`. The text is hashed as
 * written, so verifying needs no re-serialisation, and any change, drop,
 * insertion or reordering breaks the chain at the first line it touches.
 * An export resumed from a position starts its chain from the hash the client
 * had (`prevHash`), so a backup made of several exports is one chain.
 */
export const FORMAT = 'parley-log/1';
export const GENESIS_HASH = createHash('sha256').update(FORMAT).digest('hex');

const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

export interface ExportHeader {
  readonly kind: 'header';
  readonly format: typeof FORMAT;
  readonly from: string;
  readonly prevHash: string;
}

export interface ExportTrailer {
  readonly kind: 'trailer';
  readonly count: number;
  readonly firstPosition: string | null;
  readonly lastPosition: string | null;
  readonly finalHash: string;
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
// Node 20.12+ hashes a string in one call, about a third cheaper than a Hash object per line.
const oneShot = (cryptoModule as unknown as { hash?: OneShotHash }).hash;

export const chainHash = (previous: string, body: string): string =>
  oneShot
    ? oneShot('sha256', `${previous}\n${body}`, 'hex')
    : createHash('sha256').update(previous).update('\n').update(body).digest('hex');

const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The integrity-only reading of an event line: its body, the hash it claims and
 * its position, without parsing the JSON. `verify` uses it; imports parse fully.
 */
export function splitEventLine(text: string, lineNumber: number): { body: string; hash: string; position: string } {
  const cut = text.length - SUFFIX_LENGTH;
  const hash = text.slice(cut + 9, cut + 73);
  if (cut <= 0 || !text.startsWith(',"hash":"', cut) || !text.endsWith('"}') || !HEX64.test(hash)) {
    throw new LogFormatError(lineNumber, 'not an event line of this format (no trailing "hash")');
  }
  const end = text.startsWith('{"position":"') ? text.indexOf('"', 13) : -1;
  const position = end > 13 ? text.slice(13, end) : '';
  if (!/^\d{1,40}$/.test(position)) throw new LogFormatError(lineNumber, 'field "position" must come first, as a decimal string');
  return { body: text.slice(0, cut), hash, position };
}

/** Decimal strings without leading zeros compare by length, then by digits. */
export const positionAfter = (a: string, b: string) => a.length > b.length || (a.length === b.length && a > b);

/** Turns envelopes into chained lines; keeps the running hash, count and positions. */
export class LogEncoder {
  private hash: string;
  private count = 0;
  private first: Position | null = null;
  private last: Position | null = null;

  constructor(
    private readonly from: Position = 0n,
    prevHash: string = GENESIS_HASH,
  ) {
    this.hash = prevHash;
  }

  header(): string {
    const header: ExportHeader = { kind: 'header', format: FORMAT, from: this.from.toString(), prevHash: this.hash };
    return JSON.stringify(header) + '\n';
  }

  line(event: StoredEvent): string {
    const body =
      `{"position":"${event.position.toString()}","id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)}` +
      `,"version":${event.version},"streamId":${JSON.stringify(event.streamId)},"revision":${event.revision}` +
      `,"recordedAt":${JSON.stringify(event.recordedAt)},"data":${JSON.stringify(event.data)}` +
      `,"metadata":${JSON.stringify(event.metadata)}`;
    this.hash = chainHash(this.hash, body);
    this.count++;
    if (this.first === null) this.first = event.position;
    this.last = event.position;
    return `${body},"hash":"${this.hash}"}\n`;
  }

  trailer(): string {
    const trailer: ExportTrailer = {
      kind: 'trailer',
      count: this.count,
      firstPosition: this.first?.toString() ?? null,
      lastPosition: this.last?.toString() ?? null,
      finalHash: this.hash,
    };
    return JSON.stringify(trailer) + '\n';
  }

  get lastHash(): string {
    return this.hash;
  }
}

export class LogFormatError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'LogFormatError';
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses and checks one event line (1-based `lineNumber` for messages), without the chain. */
export function parseEventLine(text: string, lineNumber: number): { event: StoredEvent; hash: string; body: string } {
  const match = HASH_SUFFIX.exec(text);
  if (!match) throw new LogFormatError(lineNumber, 'not an event line of this format (no trailing "hash")');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LogFormatError(lineNumber, 'is not valid JSON');
  }
  if (!isRecord(raw)) throw new LogFormatError(lineNumber, 'is not a JSON object');
  const field = (name: string, ok: boolean, what: string) => {
    if (!ok) throw new LogFormatError(lineNumber, `field "${name}" ${what}`);
  };
  const { position, id, type, version, streamId, revision, recordedAt, data, metadata } = raw;
  field('position', typeof position === 'string' && /^\d{1,40}$/.test(position), 'must be a decimal string');
  field('id', typeof id === 'string' && id.length > 0 && id.length <= 200, 'must be a non-empty string');
  field('type', typeof type === 'string' && type.length > 0, 'must be an event type');
  if (!isParleyEventType(type as string)) throw new LogFormatError(lineNumber, `field "type": unknown event type "${String(type)}"`);
  const known = EVENT_VERSIONS[type as keyof typeof EVENT_VERSIONS];
  field('version', typeof version === 'number' && Number.isInteger(version) && version >= 1, 'must be a positive integer');
  if ((version as number) > known) {
    throw new LogFormatError(lineNumber, `field "version": ${String(version)} is newer than this build knows (${known}) for ${String(type)}`);
  }
  field('streamId', typeof streamId === 'string' && streamId.length > 0 && streamId.length <= 500, 'must be a non-empty string');
  field('revision', typeof revision === 'number' && Number.isInteger(revision) && revision >= 0, 'must be a whole number');
  field(
    'recordedAt',
    typeof recordedAt === 'string' && ISO.test(recordedAt) && !Number.isNaN(Date.parse(recordedAt)),
    'must be an ISO 8601 UTC time',
  );
  field('data', isRecord(data), 'must be an object');
  field('metadata', isRecord(metadata), 'must be an object');
  return {
    event: {
      id: id as string,
      type: type as string,
      version: version as number,
      streamId: streamId as string,
      revision: revision as number,
      position: BigInt(position as string),
      recordedAt: recordedAt as string,
      data,
      metadata: metadata as EventMetadata,
    },
    hash: match[1]!,
    body: text.slice(0, match.index),
  };
}

export interface VerifyOk {
  readonly ok: true;
  readonly count: number;
  readonly firstPosition: string | null;
  readonly lastPosition: string | null;
  readonly finalHash: string;
}
export interface VerifyFailed {
  readonly ok: false;
  readonly line: number;
  readonly reason: string;
}
export type VerifyResult = VerifyOk | VerifyFailed;

/**
 * Checks a whole export: header, every line's schema and hash chain, strictly
 * increasing positions, and the trailer. Names the first line that is wrong.
 * `onEvent` sees each valid event in order (imports validate with it first).
 */
export async function verifyLog(
  lines: AsyncIterable<string>,
  onEvent?: (event: StoredEvent, line: number) => void | Promise<void>,
  options: { readonly integrityOnly?: boolean } = {},
): Promise<VerifyResult> {
  // Integrity only (the `verify` command): the chain, order and trailer, without
  // parsing each line's JSON. Imports always check every line's schema too.
  const fast = options.integrityOnly === true && onEvent === undefined;
  let lastText: string | null = null;
  let lineNumber = 0;
  let hash: string | null = null;
  let lastPosition: bigint | null = null;
  let firstPosition: bigint | null = null;
  let count = 0;
  let trailer: ExportTrailer | null = null;
  try {
    for await (const text of lines) {
      lineNumber++;
      if (text === '') {
        if (trailer) continue;
        throw new LogFormatError(lineNumber, 'is empty');
      }
      if (trailer) throw new LogFormatError(lineNumber, 'follows the trailer (lines were appended)');
      if (hash === null) {
        hash = parseHeader(text, lineNumber).prevHash;
        continue;
      }
      if (text.startsWith('{"kind":"trailer"')) {
        trailer = parseTrailer(text, lineNumber);
        if (trailer.count !== count) throw new LogFormatError(lineNumber, `trailer counts ${trailer.count} events, the file has ${count}`);
        if (trailer.finalHash !== hash) throw new LogFormatError(lineNumber, 'trailer hash does not match the chain (lines changed, dropped or added)');
        if (trailer.lastPosition !== (fast ? lastText : (lastPosition?.toString() ?? null))) {
          throw new LogFormatError(lineNumber, 'trailer lastPosition does not match the last line');
        }
        continue;
      }
      if (fast) {
        const line = splitEventLine(text, lineNumber);
        if (line.hash !== chainHash(hash, line.body)) {
          throw new LogFormatError(lineNumber, 'hash chain broken here: this line, or one before it, was changed, dropped, inserted or moved');
        }
        if (lastText !== null && !positionAfter(line.position, lastText)) {
          throw new LogFormatError(lineNumber, `position ${line.position} does not follow ${lastText}`);
        }
        hash = line.hash;
        lastText = line.position;
        firstPosition ??= BigInt(line.position);
        count++;
        continue;
      }
      const { event, hash: claimed, body } = parseEventLine(text, lineNumber);
      const expected = chainHash(hash, body);
      if (claimed !== expected) {
        throw new LogFormatError(lineNumber, 'hash chain broken here: this line, or one before it, was changed, dropped, inserted or moved');
      }
      if (lastPosition !== null && event.position <= lastPosition) {
        throw new LogFormatError(lineNumber, `position ${event.position.toString()} does not follow ${lastPosition.toString()}`);
      }
      hash = claimed;
      lastPosition = event.position;
      firstPosition ??= event.position;
      count++;
      if (onEvent) await onEvent(event, lineNumber);
    }
  } catch (error) {
    if (error instanceof LogFormatError) return { ok: false, line: error.line, reason: error.reason };
    throw error;
  }
  if (lastText !== null) lastPosition = BigInt(lastText);
  if (hash === null) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  if (!trailer) return { ok: false, line: lineNumber + 1, reason: 'no trailer: the file is truncated or the export is still following' };
  return {
    ok: true,
    count,
    firstPosition: firstPosition?.toString() ?? null,
    lastPosition: lastPosition?.toString() ?? null,
    finalHash: hash,
  };
}

export function parseHeader(text: string, lineNumber: number): ExportHeader {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new LogFormatError(lineNumber, 'header is not valid JSON');
  }
  if (!isRecord(header) || header['kind'] !== 'header') throw new LogFormatError(lineNumber, 'the first line must be the header');
  if (header['format'] !== FORMAT) throw new LogFormatError(lineNumber, `unknown format "${String(header['format'])}", expected ${FORMAT}`);
  if (typeof header['prevHash'] !== 'string' || !/^[0-9a-f]{64}$/.test(header['prevHash'])) {
    throw new LogFormatError(lineNumber, 'header field "prevHash" must be a SHA-256 hex digest');
  }
  if (typeof header['from'] !== 'string' || !/^\d{1,40}$/.test(header['from'])) {
    throw new LogFormatError(lineNumber, 'header field "from" must be a decimal position');
  }
  return header as unknown as ExportHeader;
}

export function parseTrailer(text: string, lineNumber: number): ExportTrailer {
  let trailer: unknown;
  try {
    trailer = JSON.parse(text);
  } catch {
    throw new LogFormatError(lineNumber, 'trailer is not valid JSON');
  }
  if (!isRecord(trailer) || typeof trailer['count'] !== 'number' || typeof trailer['finalHash'] !== 'string') {
    throw new LogFormatError(lineNumber, 'trailer needs "count" and "finalHash"');
  }
  return trailer as unknown as ExportTrailer;
}
