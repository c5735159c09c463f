// The export format's integrity check in the browser: the same chain, the same
// order and trailer rules and the same messages as `parley verify`
// (libs/streaming/log-codec.ts, verifyLog with integrityOnly), read as a
// stream so a file of any size is checked without being held or uploaded.
// Lines split as Node's readline splits them (\n, \r\n, or a lone \r), so a
// line number here is the CLI's line number. Hashes: sha256.js, vouched for
// by Web Crypto (see there why not Web Crypto for every line).

import { sha256HexSync } from './sha256.js';

const FORMAT = 'parley-log/1';
const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^\d{1,40}$/;
const BATCH = 2048;

export class LogFormatError extends Error {
  constructor(line, reason) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Web Crypto's SHA-256: the reference the in-page hash is checked against. */
async function sha256Hex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/** The hash of the empty chain: SHA-256 of the format's name. */
export const genesisHash = () => sha256Hex(FORMAT);

function splitEventLine(text, lineNumber) {
  const cut = text.length - SUFFIX_LENGTH;
  const hash = text.slice(cut + 9, cut + 73);
  if (cut <= 0 || !text.startsWith(',"hash":"', cut) || !text.endsWith('"}') || !HEX64.test(hash)) {
    throw new LogFormatError(lineNumber, 'not an event line of this format (no trailing "hash")');
  }
  const end = text.startsWith('{"position":"') ? text.indexOf('"', 13) : -1;
  const position = end > 13 ? text.slice(13, end) : '';
  if (!DECIMAL.test(position)) throw new LogFormatError(lineNumber, 'field "position" must come first, as a decimal string');
  return { body: text.slice(0, cut), hash, position };
}

const positionAfter = (a, b) => a.length > b.length || (a.length === b.length && a > b);
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

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

/** Text chunks to lines, as readline with crlfDelay Infinity cuts them. */
async function* linesOf(chunks) {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk;
    let start = 0;
    // Where the next \r is, looked up again only once passed: exports hold none, and
    // searching the rest of the chunk for one at every line costs quadratic time.
    let r = rest.indexOf('\r');
    for (;;) {
      const n = rest.indexOf('\n', start);
      if (r >= 0 && r < start) r = rest.indexOf('\r', start);
      const at = n < 0 ? r : r < 0 ? n : Math.min(n, r);
      if (at < 0) break;
      // A \r at the end of a chunk may be the first half of \r\n: wait for the next chunk.
      if (rest[at] === '\r' && at === rest.length - 1) break;
      const width = rest[at] === '\r' && rest[at + 1] === '\n' ? 2 : 1;
      yield rest.slice(start, at);
      start = at + width;
    }
    rest = rest.slice(start);
  }
  if (rest.endsWith('\r')) {
    yield rest.slice(0, -1);
  } else if (rest !== '') yield rest;
}

/**
 * Verifies an export given as a stream of bytes. `gzip` decompresses first
 * (the CLI decides by the `.gz` name, and so does the console). Answers what
 * the CLI prints: `{ ok, count, firstPosition, lastPosition, finalHash }` or
 * `{ ok: false, line, reason }`; `lastLine` is the last event line's text,
 * for comparing with the live log.
 */
export async function verifyExport(bytes, { gzip = false, onProgress = () => {} } = {}) {
  const source = gzip ? bytes.pipeThrough(new DecompressionStream('gzip')) : bytes;
  // ignoreBOM: a byte-order mark stays part of line 1, as Node's readline keeps it.
  const text = source.pipeThrough(new TextDecoderStream('utf-8', { ignoreBOM: true }));
  const reader = text.getReader();
  let lineCount = 0;
  const chunks = {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } catch (error) {
        throw new LogFormatError(lineCount + 1, `cannot be read: ${error && error.message ? error.message : String(error)}`);
      }
    },
  };

  let hash = null;
  let lastText = null;
  let firstPosition = null;
  let count = 0;
  let trailer = null;
  let lineNumber = 0;
  let lastLine = null;
  // The per-line hash runs in the page (sha256.js); Web Crypto vouches for it first,
  // and a browser where they disagree verifies with Web Crypto alone.
  const probe = `${FORMAT}\n{"position":"1","data":{"text":"héllo \u{1F600}"}}`;
  const hashOf = sha256HexSync(probe) === (await sha256Hex(probe)) ? sha256HexSync : null;

  const run = async (batch) => {
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i];
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
        if (trailer.lastPosition !== lastText) throw new LogFormatError(lineNumber, 'trailer lastPosition does not match the last line');
        continue;
      }
      const line = splitEventLine(text, lineNumber);
      const chained = `${hash}\n${line.body}`;
      const expected = hashOf ? hashOf(chained) : await sha256Hex(chained);
      if (line.hash !== expected) {
        throw new LogFormatError(lineNumber, 'hash chain broken here: this line, or one before it, was changed, dropped, inserted or moved');
      }
      if (lastText !== null && !positionAfter(line.position, lastText)) {
        throw new LogFormatError(lineNumber, `position ${line.position} does not follow ${lastText}`);
      }
      hash = line.hash;
      lastText = line.position;
      lastLine = text;
      if (firstPosition === null) firstPosition = line.position;
      count++;
    }
  };

  try {
    let batch = [];
    for await (const text of linesOf(chunks)) {
      lineCount++;
      batch.push(text);
      if (batch.length >= BATCH) {
        await run(batch);
        batch = [];
        onProgress({ lines: lineNumber, events: count });
      }
    }
    await run(batch);
  } catch (error) {
    if (error instanceof LogFormatError) return { ok: false, line: error.line, reason: error.reason };
    throw error;
  } finally {
    reader.releaseLock?.();
  }
  onProgress({ lines: lineNumber, events: count });
  if (hash === null) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  if (!trailer) return { ok: false, line: lineNumber + 1, reason: 'no trailer: the file is truncated or the export is still following' };
  return { ok: true, count, firstPosition, lastPosition: lastText, finalHash: hash, lastLine };
}

/** What `parley verify` prints for a result (without its events/s). */
export function describeResult(result) {
  if (!result.ok) return `FAILED: line ${result.line}: ${result.reason}`;
  return `OK: ${result.count} events, positions ${result.firstPosition ?? '-'}..${result.lastPosition ?? '-'}, final hash ${result.finalHash}`;
}
