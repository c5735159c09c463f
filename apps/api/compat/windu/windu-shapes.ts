import type { ErrorBody } from '../../common/error-body';

/*
 * Windu's wire is Django REST framework with django-oauth-toolkit: the token
 * endpoint answers RFC 6749 errors (`{ error, error_description }`), the API
 * answers `{ detail }`, or `{ <field>: [<reason>] }` for refused fields. The
 * seed shows requests only; these are the shapes its framework answers.
 */

export const WINDU_PREFIX = '/windu';
const TOKEN_PATH = `${WINDU_PREFIX}/o/token`;

/** Windu's paths end in a slash (Django's APPEND_SLASH); Parley's routes do not. */
export function winduUrl(url: string): string {
  if (!url.startsWith(`${WINDU_PREFIX}/`)) return url;
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === path ? url : trimmed + (at === -1 ? '' : url.slice(at));
}

/** Parley's field names as the Windu form spells them. */
const FIELD_NAMES: Record<string, string> = {
  contactId: 'contact_id',
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'account',
  displayName: 'nickname',
  message: 'status_message',
  'X-Parley-Account': 'account',
};

export function winduField(field: string): string {
  return field
    .split('.')
    .map((part) => FIELD_NAMES[part] ?? part)
    .join('.');
}

const OAUTH_ERRORS: Record<string, string> = {
  'WINDU.CLIENT_INVALID': 'invalid_client',
  'WINDU.GRANT_UNSUPPORTED': 'unsupported_grant_type',
};

/** Windu's error for Parley's: status and body. */
export function winduError(error: ErrorBody, path: string): { status: number; body: unknown } {
  const bare = path.split('?', 1)[0]!.replace(/\/+$/, '');
  if (bare === TOKEN_PATH) {
    const oauth = OAUTH_ERRORS[error.code];
    if (oauth !== undefined) return { status: error.statusCode, body: { error: oauth, error_description: error.message } };
    if (error.statusCode === 400) return { status: 400, body: { error: 'invalid_request', error_description: error.message } };
    // Wrong credentials or a spent refresh token: django-oauth-toolkit answers 400 invalid_grant.
    if (error.statusCode === 401) return { status: 400, body: { error: 'invalid_grant', error_description: error.message } };
    return { status: error.statusCode, body: { error: 'server_error', error_description: error.message } };
  }
  if (error.statusCode === 400 && error.details && error.details.length > 0) {
    const fields: Record<string, string[]> = {};
    for (const detail of error.details) (fields[winduField(detail.field)] ??= []).push(detail.reason);
    return { status: 400, body: fields };
  }
  return { status: error.statusCode, body: { detail: error.message } };
}

/** A contact as Windu lists it. */
export interface WinduContact {
  readonly contact_id: string;
  readonly first_name: string;
  readonly last_name: string;
  /** Whether the number has an account (Parley matched it). */
  readonly registered: boolean;
}

export function winduContact(view: { contactId: string; firstName: string; lastName: string; userId: string | null }): WinduContact {
  return { contact_id: view.contactId, first_name: view.firstName, last_name: view.lastName, registered: view.userId !== null };
}
