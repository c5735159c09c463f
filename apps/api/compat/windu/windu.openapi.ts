import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiExtension, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ApiEmptyResponse, ErrorBodyDto } from '../../common/openapi';

/* Windu's operations in Parley's document (tag `compat: windu`), with the seed framework's error shapes. */

const obj = (properties: Record<string, SchemaObject>, required = Object.keys(properties)): SchemaObject => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});
const str: SchemaObject = { type: 'string' };
const nullableStr: SchemaObject = { type: 'string', nullable: true };
const LEVEL: SchemaObject = { type: 'string', enum: ['none', 'contacts', 'all'] };

export const TOKEN_SCHEMA = obj({
  access_token: str,
  token_type: { type: 'string', enum: ['Bearer'] },
  expires_in: { type: 'integer', minimum: 1 },
  refresh_token: str,
  scope: str,
});
export const OAUTH_ERROR_SCHEMA = obj({ error: str, error_description: str });
const DETAIL_SCHEMA = obj({ detail: str });
const FIELDS_SCHEMA: SchemaObject = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
  description: 'Each refused field and why',
};

export const ACCOUNT_SCHEMA = obj({ account: str, nickname: nullableStr, status: { type: 'string', enum: ['pending', 'registered'] } });
export const CODE_SENT_SCHEMA = obj({ account: str, method: { type: 'string', enum: ['sms', 'voice'] }, expires_in: { type: 'integer', minimum: 1 } });
export const REMOVED_ACCOUNT_SCHEMA = obj({ account: str, removed: { type: 'boolean', enum: [true] } });
export const STATUS_MESSAGE_SCHEMA = obj({ status_message: nullableStr });
export const NICKNAME_SCHEMA = obj({ nickname: nullableStr });
export const PHOTO_SCHEMA = obj({ photo: nullableStr });
export const CONNECTED_STATUS_SCHEMA = obj({ connected_status: { type: 'string', enum: ['online', 'offline'] } });
export const PRIVACY_SCHEMA = obj({ status_message: LEVEL, photo: LEVEL, last_seen: LEVEL });
export const CONTACT_SCHEMA = obj({ contact_id: str, first_name: str, last_name: str, registered: { type: 'boolean' } });
export const CONTACTS_SCHEMA: SchemaObject = { type: 'array', items: CONTACT_SCHEMA };
export const CONTACT_LIST_SCHEMA = obj({ contacts: CONTACTS_SCHEMA });
export const REMOVED_CONTACTS_SCHEMA = obj({ removed: { type: 'array', items: str }, missing: { type: 'array', items: str } });
export const CONTACT_STATUS_SCHEMA = obj({ contact_id: str, status_message: nullableStr });
export const CONTACT_STATUSES_SCHEMA: SchemaObject = { type: 'array', items: CONTACT_STATUS_SCHEMA };
export const STATUS_HISTORY_SCHEMA = obj({
  contact_id: str,
  history: { type: 'array', items: obj({ status_message: nullableStr, date: { type: 'string', format: 'date-time' } }) },
});
export const CONTACT_CONNECTED_SCHEMA = obj({
  contact_id: str,
  connected_status: { type: 'string', enum: ['online', 'offline'] },
  last_seen: { type: 'string', format: 'date-time', nullable: true },
});
export const CONTACT_CONNECTED_LIST_SCHEMA: SchemaObject = { type: 'array', items: CONTACT_CONNECTED_SCHEMA };
export const PHOTO_URL_SCHEMA = obj({ contact_id: str, url: nullableStr });
export const PHOTO_URLS_SCHEMA: SchemaObject = { type: 'array', items: PHOTO_URL_SCHEMA };
export const PHOTO_HISTORY_SCHEMA = obj({ contact_id: str, urls: { type: 'array', items: str } });
export const BLOCK_SCHEMA = obj({ contact_id: str, blocked: { type: 'boolean' } });
export const BLOCKED_LIST_SCHEMA = obj({ numbers: { type: 'array', items: str } });

const REFUSALS = {
  400: 'A field refused (each named with the reason), or a malformed account=; nothing was written',
  401: 'No valid Bearer token',
  404: 'account= names none of this login’s accounts (or the login has none yet), or no such contact',
  409: 'Conflicts with what exists (a number taken, a pending account of another login)',
  429: 'Too many codes or attempts: wait for Retry-After seconds',
} as const;

const json = (schema: SchemaObject) => ({ 'application/json': { schema } });
const edge = () =>
  ([413, 415, 503, 507] as const).map((status) =>
    ApiResponse({
      status,
      description: 'Parley’s edge or stores: body too large, not a form, a store unavailable or full',
      content: json({ anyOf: [DETAIL_SCHEMA, { $ref: getSchemaPath(ErrorBodyDto) }] }),
    }),
  );

/** One Windu API call: its success answer and its refusals in Django REST framework's shapes. */
export function WinduAnswer(
  status: number,
  description: string,
  schema: SchemaObject | null,
  refusals: readonly (keyof typeof REFUSALS)[],
  options: { form?: boolean; json?: boolean; multipart?: boolean } = {},
) {
  return applyDecorators(
    ApiTags('compat: windu'),
    ApiExtension('x-parley-compat', 'windu'),
    ApiBearerAuth(),
    ...(options.form ? [ApiConsumes('application/x-www-form-urlencoded', 'application/json')] : []),
    ...(options.json ? [ApiConsumes('application/json')] : []),
    ...(options.multipart
      ? [
          ApiConsumes('multipart/form-data'),
          ApiBody({
            schema: {
              type: 'object',
              required: ['photo'],
              properties: { photo: { type: 'string', format: 'binary' }, account: { type: 'string', description: 'The account’s number (or account= in the query)' } },
            },
          }),
        ]
      : []),
    schema === null ? ApiEmptyResponse(status, description) : ApiResponse({ status, description, content: json(schema) }),
    ...[401, ...refusals].map((code) =>
      ApiResponse({
        status: code,
        description: REFUSALS[code as keyof typeof REFUSALS],
        content: json(code === 400 ? { anyOf: [FIELDS_SCHEMA, DETAIL_SCHEMA] } : DETAIL_SCHEMA),
      }),
    ),
    ...edge(),
  );
}

/** The token endpoint: RFC 6749 answers, no Bearer token. */
export function WinduTokenAnswer() {
  return applyDecorators(
    ApiTags('compat: windu'),
    ApiExtension('x-parley-compat', 'windu'),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiResponse({ status: 200, description: 'A token pair (password or refresh grant)', content: json(TOKEN_SCHEMA) }),
    ApiResponse({ status: 400, description: 'invalid_request, invalid_grant or unsupported_grant_type', content: json(OAUTH_ERROR_SCHEMA) }),
    ApiResponse({ status: 401, description: 'invalid_client: a client_id this server does not know', content: json(OAUTH_ERROR_SCHEMA) }),
    ApiResponse({ status: 429, description: 'Too many sign-in attempts', content: json(OAUTH_ERROR_SCHEMA) }),
    ...edge(),
  );
}
