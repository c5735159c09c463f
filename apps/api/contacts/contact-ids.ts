import { Inject, Injectable } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import {
  matchKeyOf,
  matchKeys,
  parseContactId,
  readContactEntry,
  readContactList,
  requireContactId,
  type ContactKind,
  type ParsedContactId,
} from '../../../libs/domain/contacts/contact-id';
import { validationError, type ErrorDetail } from '../../../libs/domain/errors';
import type { ContactEntry } from '../../../libs/domain/events';
import { LookupKeys } from '../../../libs/personal-data/lookup-keys';
import { PARLEY_CONFIG } from '../infrastructure/tokens';

const PHONE_PREFIX = matchKeys.phone('');

export interface ResolvedId extends ParsedContactId {
  readonly matchKey: string;
}

/** Contact ids as typed, read and turned into match keys (a phone's with the installation's lookup key). */
@Injectable()
export class ContactIds {
  private readonly keys: LookupKeys;
  readonly phoneKeyOf = (e164: string): string => this.keys.phoneKey(e164);

  constructor(@Inject(PARLEY_CONFIG) config: ParleyConfig) {
    this.keys = new LookupKeys(config.personalDataKey);
  }

  /** A contact id from a path or a body field; a refusal names `field`. */
  read(input: string, field: string, kind?: ContactKind): ResolvedId {
    const parsed = requireContactId(input, field, kind);
    return { ...parsed, matchKey: matchKeyOf(parsed, this.phoneKeyOf) };
  }

  /** The match key of an id, or null when it is no contact id at all. */
  tryMatchKey(input: string, kind?: ContactKind): string | null {
    const parsed = parseContactId(input, kind);
    return parsed.ok ? matchKeyOf(parsed.value, this.phoneKeyOf) : null;
  }

  /** A list of ids (`contacts[i]`, `users[i]`): every bad one named, none read when one is bad. */
  readAll(inputs: readonly string[], field: string): ResolvedId[] {
    const details: ErrorDetail[] = [];
    const read: ResolvedId[] = [];
    inputs.forEach((input, index) => {
      const parsed = parseContactId(input);
      if (parsed.ok) read.push({ ...parsed.value, matchKey: matchKeyOf(parsed.value, this.phoneKeyOf) });
      else details.push({ field: `${field}[${index}]`, reason: parsed.reason });
    });
    if (details.length > 0) {
      throw validationError('CONTACT.INVALID_ID', `${details[0]!.field} ${details[0]!.reason}`, details.slice(0, 100));
    }
    return read;
  }

  /** One entry of POST /v1/contacts. */
  entry(body: unknown): ContactEntry {
    const details: ErrorDetail[] = [];
    const entry = readContactEntry(body, '', this.phoneKeyOf, details);
    if (!entry) throw validationError('CONTACT.INVALID_ID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
    return entry;
  }

  /**
   * The list of PUT /v1/contacts. `known` (E.164 → match key, from the book
   * as it is) spares the keyed hash of numbers already in the book: a phone
   * syncing its address book again mostly sends those.
   */
  list(raw: readonly unknown[], known?: ReadonlyMap<string, string>): ContactEntry[] {
    if (!known || known.size === 0) return readContactList(raw, this.phoneKeyOf);
    return readContactList(raw, (e164) => known.get(e164)?.slice(PHONE_PREFIX.length) ?? this.phoneKeyOf(e164));
  }
}
