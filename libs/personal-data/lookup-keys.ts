import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Keyed hashes that let Parley find an account or match a contact by phone
 * number without the number ever appearing in the log in clear: a stream id
 * or a match key holds `phoneKey(+15551234567)`, and only a holder of the
 * installation's personal-data key can compute it (or test a guess).
 */
export class LookupKeys {
  private readonly phoneSecret: Buffer;
  private readonly codeSecret: Buffer;
  private readonly emailSecret: Buffer;

  constructor(masterKey: Buffer) {
    this.phoneSecret = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'parley phone lookup v1', 32));
    this.codeSecret = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'parley verification codes v1', 32));
    this.emailSecret = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'parley email lookup v1', 32));
  }

  /** Of an E.164 number (`+` and digits, already normalised): 43 base64url characters. */
  phoneKey(e164: string): string {
    return createHmac('sha256', this.phoneSecret).update(e164, 'utf8').digest('base64url');
  }

  /** Of an email address already normalised (`normalizeEmail`): 43 base64url characters. */
  emailKey(email: string): string {
    return createHmac('sha256', this.emailSecret).update(email, 'utf8').digest('base64url');
  }

  /** Of a verification code, bound to the code's id: what the log keeps instead of the code. */
  codeHash(codeId: string, code: string): string {
    return createHmac('sha256', this.codeSecret).update(`${codeId}\u001f${code}`, 'utf8').digest('hex');
  }
}

/**
 * An E.164 number from what a user typed: spaces, dots, dashes and brackets
 * are dropped, a leading `00` becomes `+`. Null when it is not `+` followed
 * by 8 to 15 digits.
 */
export function normalizePhone(input: string): string | null {
  let text = input.trim().replace(/[\s.\-()]/g, '');
  if (text.startsWith('00')) text = '+' + text.slice(2);
  return /^\+[1-9]\d{7,14}$/.test(text) ? text : null;
}
