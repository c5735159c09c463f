import { validationError } from '../../../libs/domain/errors';

/** Where the form goes as JSON text: an UploadJsonReader. */
export interface JsonSink<T> {
  push(chunk: Buffer): void;
  end(): T;
}

const invalid = (field: string, reason: string) => validationError('REQUEST.VALIDATION_FAILED', `${field} ${reason}`, [{ field, reason }]);

const PERCENT = 0x25;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const KEY_MAX = 64;
/** A byte copied to the JSON as it is: not special in a form, not to be escaped in a JSON string. */
const plain = (byte: number) => byte >= 0x20 && byte !== PERCENT && byte !== AMPERSAND && byte !== PLUS && byte !== QUOTE && byte !== BACKSLASH;

/**
 * Reads an `application/x-www-form-urlencoded` upload (Trillian's own way of
 * sending `data=<base64>&type=…`) as it streams in, by handing the object it
 * means, as JSON, to an UploadJsonReader: the base64 is then checked and
 * decoded a slice at a time exactly as in a JSON upload, and never held as
 * one string. Every value becomes a JSON string. In a base64 field a bare
 * `+` is the base64 digit its sender meant, not a space (base64 has none).
 */
export class UploadFormReader<T> {
  private inKey = true;
  private key: number[] = [];
  private keyName = '';
  private pairs = 0;
  private escape: number[] | null = null;

  constructor(
    private readonly json: JsonSink<T>,
    private readonly base64Fields: readonly string[],
  ) {
    json.push(Buffer.from('{'));
  }

  push(chunk: Buffer): void {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.inKey && this.escape === null) {
        let end = i;
        while (end < chunk.length && plain(chunk[end]!)) end++;
        if (end > i) {
          out.push(chunk.subarray(i, end));
          i = end;
          continue;
        }
      }
      this.byte(chunk[i]!, out);
      i++;
    }
    if (out.length > 0) this.json.push(Buffer.concat(out));
  }

  end(): T {
    if (this.escape !== null) throw invalid('body', 'is not valid form data (a % escape is cut short)');
    const out: Buffer[] = [];
    if (!this.inKey || this.key.length > 0) this.endPair(out);
    out.push(Buffer.from('}'));
    this.json.push(Buffer.concat(out));
    return this.json.end();
  }

  private byte(byte: number, out: Buffer[]): void {
    if (this.escape !== null) {
      this.escape.push(byte);
      if (this.escape.length < 2) return;
      const hex = String.fromCharCode(...this.escape);
      this.escape = null;
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid(this.inKey ? 'body' : this.keyName, 'is not valid form data (a % escape is malformed)');
      this.emit(parseInt(hex, 16), out);
      return;
    }
    if (byte === PERCENT) this.escape = [];
    else if (byte === AMPERSAND) this.endPair(out);
    else if (byte === EQUALS && this.inKey) this.startValue(out);
    else if (byte === PLUS) this.emit(!this.inKey && this.base64Fields.includes(this.keyName) ? PLUS : 0x20, out);
    else this.emit(byte, out);
  }

  /** A decoded byte: into the key, or into the value as JSON string content. */
  private emit(byte: number, out: Buffer[]): void {
    if (this.inKey) {
      this.key.push(byte);
      if (this.key.length > KEY_MAX) throw invalid('body', `has a field name longer than ${KEY_MAX} characters`);
      return;
    }
    if (byte === QUOTE || byte === BACKSLASH) out.push(Buffer.from([BACKSLASH, byte]));
    else if (byte < 0x20) out.push(Buffer.from(`\\u00${byte.toString(16).padStart(2, '0')}`));
    else out.push(Buffer.from([byte]));
  }

  private startValue(out: Buffer[]): void {
    this.keyName = Buffer.from(this.key).toString('utf8');
    out.push(Buffer.from(`${this.pairs > 0 ? ',' : ''}${JSON.stringify(this.keyName)}:"`));
    this.pairs++;
    this.inKey = false;
  }

  private endPair(out: Buffer[]): void {
    if (this.inKey) {
      if (this.key.length === 0) return;
      // `name` without `=`: an empty value.
      this.startValue(out);
    }
    out.push(Buffer.from('"'));
    this.inKey = true;
    this.key = [];
  }
}
