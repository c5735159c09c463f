// The export format's integrity check in the browser: the same chain, the same
// order and trailer rules and the same messages as `parley verify`
// (libs/streaming/log-codec.ts, verifyLog with integrityOnly, and
// libs/streaming/parallel-verify.ts), read as a stream so a file of any size is
// checked without being held or uploaded.
//
// Lines are checked as bytes: an export is UTF-8 and the CLI hashes each
// line's text as UTF-8, so as long as the bytes are valid UTF-8 they are what
// the CLI hashes, and nothing is decoded or re-encoded. A file with invalid
// UTF-8 anywhere is checked from there on as the CLI reads it (decoded with
// replacement characters, then re-encoded), so it gets the CLI's verdict too.
// Lines split as Node's readline splits them (\n, \r\n, or a lone \r), so a
// line number here is the CLI's line number.

import { chainDigest, digestHexInto, sha256HexSync } from './sha256.js';

const FORMAT = 'parley-log/1';
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^\d{1,40}$/;
const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const NOT_AN_EVENT_LINE = 'not an event line of this format (no trailing "hash")';
const BAD_POSITION = 'field "position" must come first, as a decimal string';
const BROKEN = 'hash chain broken here: this line, or one before it, was changed, dropped, inserted or moved';
/** Below this a file is checked on this thread: starting workers costs more than it saves (the CLI's bound too). */
const MIN_PARALLEL_BYTES = 4 * 1024 * 1024;
const MAX_THREADS = 8;
/** How far the header and the trailer are looked for at the file's two ends. */
const FRAME_WINDOW = 64 * 1024;
const PROGRESS_BYTES = 4 * 1024 * 1024;
const READ_BYTES = 4 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

export class LogFormatError extends Error {
  constructor(line, reason) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

const ascii = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HASH_KEY = ascii(',"hash":"');
const POSITION_KEY = ascii('{"position":"');
const TRAILER_KEY = ascii('{"kind":"trailer"');
/** A hex digit's value, -1 for anything but 0-9 and a-f (the format's hashes are lowercase). */
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;

const encoder = new TextEncoder();
// Lossy and keeping a byte-order mark, as Node's readline decodes a file.
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });
const textOf = (bytes, start, end) => lossy.decode(bytes.subarray(start, end));
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Web Crypto's SHA-256: the reference the in-page hash is checked against. */
async function webCryptoHex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/** The hash of the empty chain: SHA-256 of the format's name. */
export const genesisHash = () => webCryptoHex(FORMAT);

/** Whether the in-page SHA-256 agrees with Web Crypto on a text with multi-byte characters. */
async function inPageHashAgrees() {
  const probe = `${FORMAT}\n{"position":"1","data":{"text":"héllo \u{1F600}"}}`;
  return sha256HexSync(probe) === (await webCryptoHex(probe));
}

const startsWith = (bytes, at, end, key) => {
  if (end - at < key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[at + i] !== key[i]) return false;
  return true;
};

/** 64 lowercase hex bytes at `at` as eight words into `into`; false if any is not a hex digit. */
function readHex(bytes, at, into) {
  for (let w = 0; w < 8; w++) {
    let word = 0;
    for (let k = 0; k < 8; k++) {
      const value = NIBBLE[bytes[at++]];
      if (value < 0) return false;
      word = (word << 4) | value;
    }
    into[w] = word;
  }
  return true;
}

const sameWords = (a, b) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5] && a[6] === b[6] && a[7] === b[7];

/** Decimal positions without leading zeros compare by length, then by digits. */
function positionAfter(bytes, at, length, last, lastLength) {
  if (length !== lastLength) return length > lastLength;
  for (let i = 0; i < length; i++) {
    const a = bytes[at + i];
    const b = last[i];
    if (a !== b) return a > b;
  }
  return false;
}

function parseHeader(text, lineNumber) {
  let header;
  try {
    header = JSON.parse(text);
  } catch {
    throw new LogFormatError(lineNumber, 'header is not valid JSON');
  }
  if (!isRecord(header) || header.kind !== 'header') throw new LogFormatError(lineNumber, 'the first line must be the header');
  if (header.format !== FORMAT) throw new LogFormatError(lineNumber, `unknown format "${String(header.format)}", expected ${FORMAT}`);
  if (typeof header.prevHash !== 'string' || !HEX64.test(header.prevHash)) {
    throw new LogFormatError(lineNumber, 'header field "prevHash" must be a SHA-256 hex digest');
  }
  if (typeof header.from !== 'string' || !DECIMAL.test(header.from)) {
    throw new LogFormatError(lineNumber, 'header field "from" must be a decimal position');
  }
  return header;
}

function parseTrailer(text, lineNumber) {
  let trailer;
  try {
    trailer = JSON.parse(text);
  } catch {
    throw new LogFormatError(lineNumber, 'trailer is not valid JSON');
  }
  if (!isRecord(trailer) || typeof trailer.count !== 'number' || typeof trailer.finalHash !== 'string') {
    throw new LogFormatError(lineNumber, 'trailer needs "count" and "finalHash"');
  }
  return trailer;
}

const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The chain over event lines given as bytes. `line` takes one whole file's
 * lines in order (header, events, trailer) and throws the CLI's
 * LogFormatError; `eventLine` alone serves a worker's byte range, whose first
 * line's link is checked by whoever knows the hash before it.
 */
class Chain {
  constructor() {
    this.lineNumber = 0;
    /** The current hash in hex and a newline: what the next line's hash starts from. */
    this.prefix = new Uint8Array(65);
    this.prefix[64] = LF;
    this.started = false;
    this.claimed = new Int32Array(8);
    this.position = new Uint8Array(40);
    this.positionLength = 0;
    this.firstPosition = null;
    this.first = null;
    this.count = 0;
    this.trailer = null;
    this.lastBytes = null;
    this.lastStart = 0;
    this.lastEnd = 0;
    /** Set once invalid UTF-8 was seen: lines are then hashed as the CLI decodes them. */
    this.lossy = false;
  }

  get hash() {
    return String.fromCharCode(...this.prefix.subarray(0, 64));
  }

  get lastPosition() {
    return this.positionLength === 0 ? null : String.fromCharCode(...this.position.subarray(0, this.positionLength));
  }

  get lastLine() {
    return this.lastBytes === null ? null : textOf(this.lastBytes, this.lastStart, this.lastEnd);
  }

  startFrom(hashHex) {
    this.prefix.set(ascii(hashHex), 0);
    this.started = true;
  }

  /** One line of a whole file, `bytes[start, end)` without its line break. */
  line(bytes, start, end) {
    const lineNumber = ++this.lineNumber;
    if (start === end) {
      if (this.trailer) return;
      throw new LogFormatError(lineNumber, 'is empty');
    }
    if (this.trailer) throw new LogFormatError(lineNumber, 'follows the trailer (lines were appended)');
    if (!this.started) {
      this.startFrom(parseHeader(textOf(bytes, start, end), lineNumber).prevHash);
      return;
    }
    if (startsWith(bytes, start, end, TRAILER_KEY)) {
      const trailer = parseTrailer(textOf(bytes, start, end), lineNumber);
      this.trailer = trailer;
      if (trailer.count !== this.count) throw new LogFormatError(lineNumber, `trailer counts ${trailer.count} events, the file has ${this.count}`);
      if (trailer.finalHash !== this.hash) throw new LogFormatError(lineNumber, 'trailer hash does not match the chain (lines changed, dropped or added)');
      if (trailer.lastPosition !== this.lastPosition) throw new LogFormatError(lineNumber, 'trailer lastPosition does not match the last line');
      return;
    }
    this.eventLine(bytes, start, end, true);
  }

  /** An event line; `linked` false for the first line of a range, whose hash is taken as it claims. */
  eventLine(bytes, start, end, linked) {
    if (this.lossy) {
      bytes = encoder.encode(textOf(bytes, start, end));
      start = 0;
      end = bytes.length;
    }
    const lineNumber = this.lineNumber;
    const cut = end - SUFFIX_LENGTH;
    if (cut <= start || !startsWith(bytes, cut, end, HASH_KEY) || bytes[end - 2] !== 0x22 || bytes[end - 1] !== 0x7d || !readHex(bytes, cut + 9, this.claimed)) {
      throw new LogFormatError(lineNumber, NOT_AN_EVENT_LINE);
    }
    const from = start + POSITION_KEY.length;
    const quote = startsWith(bytes, start, end, POSITION_KEY) ? bytes.indexOf(0x22, from) : -1;
    const length = quote - from;
    if (length < 1 || length > 40) throw new LogFormatError(lineNumber, BAD_POSITION);
    for (let i = from; i < quote; i++) if (bytes[i] < 0x30 || bytes[i] > 0x39) throw new LogFormatError(lineNumber, BAD_POSITION);
    if (linked) {
      if (!sameWords(chainDigest(this.prefix, bytes, start, cut), this.claimed)) throw new LogFormatError(lineNumber, BROKEN);
      if (this.positionLength > 0 && !positionAfter(bytes, from, length, this.position, this.positionLength)) {
        throw new LogFormatError(lineNumber, `position ${textOf(bytes, from, quote)} does not follow ${this.lastPosition}`);
      }
    } else {
      this.first = { body: bytes.slice(start, cut), hash: textOf(bytes, cut + 9, cut + 73), position: textOf(bytes, from, quote) };
      this.started = true;
    }
    // Copied byte by byte: a subarray view for each would be garbage on every line.
    const prefix = this.prefix;
    for (let i = 0, at = cut + 9; i < 64; i++, at++) prefix[i] = bytes[at];
    const position = this.position;
    for (let i = 0; i < length; i++) position[i] = bytes[from + i];
    this.positionLength = length;
    this.firstPosition ??= textOf(bytes, from, quote);
    this.lastBytes = bytes;
    this.lastStart = start;
    this.lastEnd = end;
    this.count++;
  }
}

/**
 * Whether bytes are valid UTF-8, fed in pieces: the WHATWG decoder's rules
 * (what TextDecoder and Node accept), without building a string. ASCII, which
 * is nearly all of an export, is skipped four bytes at a time.
 */
class Utf8Check {
  constructor() {
    this.need = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  /** False at the first invalid byte. */
  push(bytes) {
    const n = bytes.length;
    const aligned = (4 - (bytes.byteOffset & 3)) & 3;
    const words = n > aligned + 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset + aligned, (n - aligned) >>> 2) : null;
    let i = 0;
    while (i < n) {
      if (this.need === 0 && words !== null && i >= aligned && ((i - aligned) & 3) === 0) {
        let w = (i - aligned) >>> 2;
        while (w < words.length && (words[w] & 0x80808080) === 0) w++;
        i = aligned + w * 4;
        if (i >= n) break;
      }
      const byte = bytes[i++];
      if (this.need === 0) {
        if (byte < 0x80) continue;
        if (byte >= 0xc2 && byte <= 0xdf) this.need = 1;
        else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.lower = 0xa0;
          if (byte === 0xed) this.upper = 0x9f;
          this.need = 2;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.lower = 0x90;
          if (byte === 0xf4) this.upper = 0x8f;
          this.need = 3;
        } else return false;
        continue;
      }
      if (byte < this.lower || byte > this.upper) return false;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.need--;
    }
    return true;
  }

  /** False when the bytes ended inside a character. */
  end() {
    return this.need === 0;
  }
}

/**
 * Bytes to lines as readline with crlfDelay Infinity cuts them, calling
 * `onLine(bytes, start, end)` for each; a line cut by a chunk's end waits for
 * the next chunk. It also watches for invalid UTF-8 (`onInvalid` before the
 * first line that may hold it).
 */
class LineSplitter {
  constructor(onLine, onInvalid) {
    this.onLine = onLine;
    this.onInvalid = onInvalid;
    this.rest = new Uint8Array(0);
    this.utf8 = new Utf8Check();
    this.valid = true;
  }

  push(chunk) {
    if (this.valid && !this.utf8.push(chunk)) this.invalid();
    let bytes = chunk;
    let start = 0;
    if (this.rest.length > 0) {
      // Only the line cut by the last chunk's end is copied, not the new chunk.
      const n = chunk.indexOf(LF);
      if (n < 0) bytes = concat(this.rest, chunk);
      else {
        const head = concat(this.rest, chunk.subarray(0, n + 1));
        this.rest = head.subarray(0, 0);
        this.scan(head, 0);
        start = n + 1;
      }
    }
    this.scan(bytes, start);
  }

  /** Lines of `bytes` from `start`; what follows the last line break waits in `rest`. */
  scan(bytes, start) {
    // Where the next \r is, looked up again only once passed: exports hold none.
    let r = bytes.indexOf(CR);
    for (;;) {
      const n = bytes.indexOf(LF, start);
      if (r >= 0 && r < start) r = bytes.indexOf(CR, start);
      const at = n < 0 ? r : r < 0 ? n : Math.min(n, r);
      if (at < 0) break;
      // A \r at the end of a chunk may be the first half of \r\n: wait for the next chunk.
      if (bytes[at] === CR && at === bytes.length - 1) break;
      this.onLine(bytes, start, at);
      start = at + (bytes[at] === CR && bytes[at + 1] === LF ? 2 : 1);
    }
    this.rest = bytes.subarray(start);
  }

  end() {
    if (this.valid && !this.utf8.end()) this.invalid();
    const rest = this.rest;
    if (rest.length > 0 && rest[rest.length - 1] === CR) this.onLine(rest, 0, rest.length - 1);
    else if (rest.length > 0) this.onLine(rest, 0, rest.length);
  }

  invalid() {
    this.valid = false;
    this.onInvalid();
  }
}

function concat(a, b) {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** Reads a byte stream through `push`, answering the bytes read; a failed read is `onError`'s. */
async function pump(stream, push, onBytes) {
  if (typeof Blob !== 'undefined' && stream instanceof Blob) return pumpBlob(stream, push, onBytes);
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes(value.byteLength);
      push(value);
    }
  } finally {
    reader.releaseLock?.();
  }
}

/**
 * A Blob read in large slices, the next one asked for while this one is
 * checked: a Blob's stream hands out small chunks one request at a time,
 * and the page waits on each.
 */
async function pumpBlob(blob, push, onBytes) {
  const slice = (at) => (at < blob.size ? blob.slice(at, Math.min(at + READ_BYTES, blob.size)).arrayBuffer() : null);
  let next = slice(0);
  try {
    for (let at = 0; next !== null; ) {
      const bytes = new Uint8Array(await next);
      at += bytes.length;
      next = slice(at);
      onBytes(bytes.length);
      push(bytes);
    }
  } finally {
    // A slice asked for ahead and no longer wanted must not fail unheard.
    next?.catch(() => {});
  }
}

/**
 * Verifies an export given as a Blob (a chosen File) or a stream of bytes.
 * `gzip` decompresses first (the CLI decides by the `.gz` name, and so does
 * the console). A large uncompressed Blob is checked by Web Workers over byte
 * ranges, as the CLI checks a file with threads; anything irregular there
 * (or a browser without workers) is checked again in order, so a broken file
 * is named at the same line and for the same reason as the CLI names it.
 * Answers what the CLI prints: `{ ok, count, firstPosition, lastPosition,
 * finalHash }` or `{ ok: false, line, reason }`; `lastLine` is the last event
 * line's text, for comparing with the live log. `onProgress({ bytes, events })`.
 */
export async function verifyExport(input, { gzip = false, onProgress = () => {}, threads, minParallelBytes = MIN_PARALLEL_BYTES } = {}) {
  const isBlob = typeof Blob !== 'undefined' && input instanceof Blob;
  // The per-line hash runs in the page (sha256.js); Web Crypto vouches for it
  // first, and a browser where they disagree verifies with Web Crypto alone.
  const inPage = await inPageHashAgrees();
  if (!inPage) return verifyWithWebCrypto(isBlob ? input.stream() : input, gzip);
  if (isBlob && !gzip && input.size >= minParallelBytes) {
    const wanted = Math.min(threads ?? globalThis.navigator?.hardwareConcurrency ?? 1, MAX_THREADS);
    if (wanted >= 2 && typeof Worker !== 'undefined') {
      const outcome = await verifyInWorkers(input, wanted, onProgress).catch(() => null);
      if (outcome !== null) return outcome;
    }
  }
  return verifyInOrder(isBlob && gzip ? input.stream() : input, gzip, onProgress);
}

async function verifyInOrder(bytes, gzip, onProgress) {
  const chain = new Chain();
  const splitter = new LineSplitter(
    (chunk, start, end) => chain.line(chunk, start, end),
    () => (chain.lossy = true),
  );
  let read = 0;
  let reported = 0;
  const counted = (n) => {
    read += n;
    if (read - reported >= PROGRESS_BYTES) {
      reported = read;
      onProgress({ bytes: read, events: chain.count });
    }
  };
  try {
    // Progress counts the file's own bytes, compressed or not.
    const source = gzip
      ? bytes
          .pipeThrough(
            new TransformStream({
              transform(chunk, controller) {
                counted(chunk.byteLength);
                controller.enqueue(chunk);
              },
            }),
          )
          .pipeThrough(new DecompressionStream('gzip'))
      : bytes;
    try {
      await pump(source, (chunk) => splitter.push(chunk), gzip ? () => {} : counted);
    } catch (error) {
      if (error instanceof LogFormatError) throw error;
      throw new LogFormatError(chain.lineNumber + 1, `cannot be read: ${error && error.message ? error.message : String(error)}`);
    }
    splitter.end();
  } catch (error) {
    if (error instanceof LogFormatError) return { ok: false, line: error.line, reason: error.reason };
    throw error;
  }
  onProgress({ bytes: read, events: chain.count });
  return finish(chain);
}

function finish(chain) {
  if (!chain.started) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  if (!chain.trailer) return { ok: false, line: chain.lineNumber + 1, reason: 'no trailer: the file is truncated or the export is still following' };
  return { ok: true, count: chain.count, firstPosition: chain.firstPosition, lastPosition: chain.lastPosition, finalHash: chain.hash, lastLine: chain.lastLine };
}

/** The slow path for a browser whose in-page hash disagrees with Web Crypto: one digest call a line. */
async function verifyWithWebCrypto(bytes, gzip) {
  const lines = [];
  const splitter = new LineSplitter((chunk, start, end) => lines.push(textOf(chunk, start, end)), () => {});
  const source = gzip ? bytes.pipeThrough(new DecompressionStream('gzip')) : bytes;
  try {
    await pump(source, (chunk) => splitter.push(chunk), () => {});
  } catch (error) {
    return { ok: false, line: lines.length + 1, reason: `cannot be read: ${error && error.message ? error.message : String(error)}` };
  }
  splitter.end();
  let hash = null;
  let trailer = null;
  let count = 0;
  let firstPosition = null;
  let lastPosition = null;
  let lastLine = null;
  try {
    for (const [index, text] of lines.entries()) {
      const lineNumber = index + 1;
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
        if (trailer.lastPosition !== lastPosition) throw new LogFormatError(lineNumber, 'trailer lastPosition does not match the last line');
        continue;
      }
      const cut = text.length - SUFFIX_LENGTH;
      const claimed = text.slice(cut + 9, cut + 73);
      if (cut <= 0 || !text.startsWith(',"hash":"', cut) || !text.endsWith('"}') || !HEX64.test(claimed)) throw new LogFormatError(lineNumber, NOT_AN_EVENT_LINE);
      const end = text.startsWith('{"position":"') ? text.indexOf('"', 13) : -1;
      const position = end > 13 ? text.slice(13, end) : '';
      if (!DECIMAL.test(position)) throw new LogFormatError(lineNumber, BAD_POSITION);
      if (claimed !== (await webCryptoHex(`${hash}\n${text.slice(0, cut)}`))) throw new LogFormatError(lineNumber, BROKEN);
      if (lastPosition !== null && !(position.length > lastPosition.length || (position.length === lastPosition.length && position > lastPosition))) {
        throw new LogFormatError(lineNumber, `position ${position} does not follow ${lastPosition}`);
      }
      hash = claimed;
      lastPosition = position;
      firstPosition ??= position;
      lastLine = text;
      count++;
    }
  } catch (error) {
    if (error instanceof LogFormatError) return { ok: false, line: error.line, reason: error.reason };
    throw error;
  }
  if (hash === null) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  if (!trailer) return { ok: false, line: lines.length + 1, reason: 'no trailer: the file is truncated or the export is still following' };
  return { ok: true, count, firstPosition, lastPosition, finalHash: hash, lastLine };
}

/**
 * Checks one byte range of event lines (each ending with a newline) in a
 * worker: each line's hash against the hash the line before it claims, and
 * the order of positions. Anything irregular ends the range as `irregular`.
 */
export async function checkRange(blob, start, end, onProgress = () => {}) {
  const chain = new Chain();
  let irregular = false;
  const splitter = new LineSplitter(
    (bytes, from, to) => {
      if (irregular) return;
      try {
        chain.eventLine(bytes, from, to, chain.first !== null);
      } catch {
        irregular = true;
      }
    },
    () => (irregular = true),
  );
  let read = 0;
  let reported = 0;
  await pump(
    blob.slice(start, end),
    (chunk) => {
      if (!irregular) splitter.push(chunk);
    },
    (n) => {
      read += n;
      if (read - reported >= PROGRESS_BYTES) {
        onProgress({ bytes: read - reported, events: chain.count });
        reported = read;
      }
    },
  );
  if (!irregular) splitter.end();
  onProgress({ bytes: read - reported, events: chain.count });
  if (irregular || chain.first === null) return { kind: 'irregular' };
  return { kind: 'checked', count: chain.count, first: chain.first, lastHash: chain.hash, lastPosition: chain.lastPosition, lastLine: chain.lastLine };
}

async function verifyInWorkers(blob, threads, onProgress) {
  const frame = await readFrame(blob);
  if (frame === null) return null;
  let prevHash;
  try {
    prevHash = parseHeader(frame.header, 1).prevHash;
  } catch {
    return null;
  }
  const ranges = await splitAtLines(blob, frame.bodyStart, frame.bodyEnd, threads);
  let bytes = frame.bodyStart + (blob.size - frame.bodyEnd);
  let events = 0;
  const reports = await Promise.all(
    ranges.map(
      ([start, end]) =>
        new Promise((resolve) => {
          let worker;
          try {
            worker = new Worker(new URL('./verify-worker.js', import.meta.url), { type: 'module' });
          } catch {
            resolve({ kind: 'irregular' });
            return;
          }
          const done = (report) => {
            worker.terminate();
            resolve(report);
          };
          worker.onerror = () => done({ kind: 'irregular' });
          worker.onmessageerror = () => done({ kind: 'irregular' });
          worker.onmessage = ({ data }) => {
            if (data.kind !== 'progress') return done(data);
            bytes += data.bytes;
            events += data.events;
            onProgress({ bytes, events });
          };
          worker.postMessage({ blob, start, end });
        }),
    ),
  );
  const chain = new Chain();
  chain.startFrom(prevHash);
  const expected = new Int32Array(8);
  const hex = new Uint8Array(64);
  let count = 0;
  let firstPosition = null;
  let lastPosition = null;
  let lastLine = null;
  for (const report of reports) {
    if (report.kind !== 'checked') return null;
    expected.set(chainDigest(chain.prefix, report.first.body, 0, report.first.body.length));
    digestHexInto(expected, hex, 0);
    if (String.fromCharCode(...hex) !== report.first.hash) return null;
    const position = report.first.position;
    if (lastPosition !== null && !(position.length > lastPosition.length || (position.length === lastPosition.length && position > lastPosition))) return null;
    firstPosition ??= position;
    chain.startFrom(report.lastHash);
    lastPosition = report.lastPosition;
    lastLine = report.lastLine;
    count += report.count;
  }
  try {
    const trailer = parseTrailer(frame.trailer, 0);
    if (trailer.count !== count || trailer.finalHash !== chain.hash || trailer.lastPosition !== lastPosition) return null;
  } catch {
    return null;
  }
  onProgress({ bytes: blob.size, events: count });
  return { ok: true, count, firstPosition, lastPosition, finalHash: chain.hash, lastLine };
}

async function readFrame(blob) {
  const size = blob.size;
  const head = new Uint8Array(await blob.slice(0, Math.min(FRAME_WINDOW, size)).arrayBuffer());
  const headerEnd = head.indexOf(LF);
  if (headerEnd <= 0) return null;
  const tailStart = Math.max(0, size - FRAME_WINDOW);
  const tail = new Uint8Array(await blob.slice(tailStart, size).arrayBuffer());
  // Trailing newlines are allowed after the trailer (empty lines there are not an error).
  let last = tail.length;
  while (last > 0 && tail[last - 1] === LF) last--;
  const trailerStart = tail.lastIndexOf(LF, last - 1) + 1;
  if (trailerStart === 0) return null;
  const trailer = textOf(tail, trailerStart, last);
  const bodyStart = headerEnd + 1;
  const bodyEnd = tailStart + trailerStart;
  if (!trailer.startsWith('{"kind":"trailer"') || bodyEnd <= bodyStart) return null;
  return { header: textOf(head, 0, headerEnd), trailer, bodyStart, bodyEnd };
}

/** Ranges of about equal size, each cut just after a newline. */
async function splitAtLines(blob, start, end, parts) {
  const cuts = [start];
  for (let i = 1; i < parts; i++) {
    let at = Math.max(start + Math.floor(((end - start) * i) / parts), cuts[cuts.length - 1]);
    // Walk to the next newline; a line longer than the probe is walked in steps.
    for (;;) {
      const probe = new Uint8Array(await blob.slice(at, Math.min(at + FRAME_WINDOW, end)).arrayBuffer());
      const newline = probe.indexOf(LF);
      if (newline !== -1) {
        at += newline + 1;
        break;
      }
      at += probe.length;
      if (probe.length === 0 || at >= end) break;
    }
    if (at < end && at > cuts[cuts.length - 1]) cuts.push(at);
  }
  return cuts.map((from, i) => [from, cuts[i + 1] ?? end]);
}

/** What `parley verify` prints for a result (without its events/s). */
export function describeResult(result) {
  if (!result.ok) return `FAILED: line ${result.line}: ${result.reason}`;
  return `OK: ${result.count} events, positions ${result.firstPosition ?? '-'}..${result.lastPosition ?? '-'}, final hash ${result.finalHash}`;
}
