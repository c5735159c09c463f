import type { ErrorDetail } from './errors';

/**
 * Characters no name may hold (room names and topics, display names and
 * nicknames, contact names, API key names): control characters (C0, DEL,
 * C1: NUL, terminal escapes, line breaks, tabs), the line and paragraph
 * separators, the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which flip how the text around a name is
 * shown, and the zero-width characters (U+200B–U+200D, U+2060, U+FEFF), which
 * make two names that look alike differ. Right-to-left scripts need none of
 * them; the directional marks (LRM, RLM, ALM) stay allowed.
 */
const NOT_IN_NAMES = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\uFEFF]/u;

export const NAME_CHARACTERS_REASON =
  'must not contain control characters, bidirectional overrides or isolates, or zero-width characters';
export const TEXT_CHARACTERS_REASON = 'must not contain NUL characters';

/** Whether a name holds a character names may not hold (see NOT_IN_NAMES). */
export const hasCharactersNotInNames = (text: string): boolean => NOT_IN_NAMES.test(text);

/**
 * Free text (comments, status and presence messages) keeps what people
 * write (line breaks, tabs, emoji, right-to-left text and its marks) but never
 * NUL, which C strings, terminals and some stores cut at.
 */
export const hasCharactersNotInText = (text: string): boolean => text.includes('\u0000');

/** The detail refusing `field` when it holds a character names may not hold; null when it is clean. */
export function nameCharactersDetail(text: string, field: string): ErrorDetail | null {
  return hasCharactersNotInNames(text) ? { field, reason: NAME_CHARACTERS_REASON } : null;
}

/** The detail refusing free text in `field` that holds NUL; null when it is clean. */
export function textCharactersDetail(text: string, field: string): ErrorDetail | null {
  return hasCharactersNotInText(text) ? { field, reason: TEXT_CHARACTERS_REASON } : null;
}
