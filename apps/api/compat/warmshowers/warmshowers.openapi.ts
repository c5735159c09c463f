import { applyDecorators } from '@nestjs/common';
import { ApiConsumes, ApiExtension, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { ContentObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorBodyDto } from '../../common/openapi';
import { ACCOUNT_FIELDS, NOTIFY_FIELDS, PICTURE_FIELDS, USER_STRING_FIELDS } from './warmshowers-views';

/*
 * Warmshowers' operations in Parley's document (tag `compat: warmshowers`).
 * Each answers JSON (Accept: application/json) or XML (the default): the
 * JSON schema is exact; the XML is described as text, checked to parse.
 */

const strings = (fields: readonly string[]): SchemaObject => ({
  type: 'object',
  required: [...fields],
  properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])),
});

export const USER_SCHEMA: SchemaObject = {
  type: 'object',
  required: [...USER_STRING_FIELDS, 'login', 'picture', 'comment_notify_settings', 'privatemsg_disabled'],
  properties: {
    ...strings(USER_STRING_FIELDS).properties,
    login: { type: 'integer', description: 'Unix time of this sign-in (0 for another member)' },
    picture: strings(PICTURE_FIELDS),
    comment_notify_settings: strings(NOTIFY_FIELDS),
    privatemsg_disabled: { type: 'boolean' },
  },
};

export const LOGIN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['sessid', 'session_name', 'token', 'user'],
  properties: {
    sessid: { type: 'string', description: 'The session cookie’s value' },
    session_name: { type: 'string', description: 'The session cookie’s name' },
    token: { type: 'string', description: 'The X-CSRF-Token of this session' },
    user: USER_SCHEMA,
  },
};

export const ACCOUNTS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'accounts'],
  properties: {
    status: {
      type: 'object',
      required: ['delivered', 'totalresults'],
      properties: { delivered: { type: 'integer', minimum: 0 }, totalresults: { type: 'integer', minimum: 0 } },
    },
    accounts: { type: 'array', items: strings(ACCOUNT_FIELDS) },
  },
};

export const RECOMMENDATION_FIELDS = ['nid', 'recommender_uid', 'recommender_name', 'recommendee_uid', 'field_rating_value', 'field_guest_or_host_value', 'field_hosting_date_value', 'body', 'created'] as const;
export const RECOMMENDATIONS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['recommendations'],
  properties: {
    recommendations: {
      type: 'array',
      items: { type: 'object', required: ['recommendation'], properties: { recommendation: strings(RECOMMENDATION_FIELDS) } },
    },
  },
};

export const NODE_SCHEMA: SchemaObject = { type: 'object', required: ['nid', 'uri'], properties: { nid: { type: 'string' }, uri: { type: 'string' } } };

const PARTICIPANT_SCHEMA = strings(['uid', 'name']);
export const THREAD_FIELDS = ['thread_id', 'subject', 'last_updated', 'is_new', 'message_count'] as const;
export const THREADS_SCHEMA: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    required: [...THREAD_FIELDS, 'participants'],
    properties: { ...strings(THREAD_FIELDS).properties, participants: { type: 'array', items: PARTICIPANT_SCHEMA } },
  },
};
export const MESSAGE_FIELDS = ['mid', 'thread_id', 'subject', 'body', 'timestamp', 'is_new'] as const;
export const THREAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['thread_id', 'subject', 'participants', 'messages', 'message_count'],
  properties: {
    thread_id: { type: 'string' },
    subject: { type: 'string' },
    message_count: { type: 'string' },
    participants: { type: 'array', items: PARTICIPANT_SCHEMA },
    messages: {
      type: 'array',
      items: { type: 'object', required: [...MESSAGE_FIELDS, 'author'], properties: { ...strings(MESSAGE_FIELDS).properties, author: PARTICIPANT_SCHEMA } },
    },
  },
};
export const TRUE_SCHEMA: SchemaObject = { type: 'array', items: { type: 'boolean', enum: [true] }, minItems: 1, maxItems: 1 };
export const COUNT_SCHEMA: SchemaObject = { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: 1 };
const MESSAGE_SCHEMA: SchemaObject = { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1, description: 'The reason, in the seed’s words' };

const XML_TEXT: SchemaObject = { type: 'string', description: 'The same answer as XML, wrapped in <result>' };

const REFUSALS: Record<number, string> = {
  400: 'Refused input: the message names the field and the reason; nothing was written',
  401: 'No session, a session that ended, wrong credentials, or CSRF validation failed',
  404: 'No such member or thread, or none the session may see',
  406: 'Already logged in, or not logged in',
  409: 'Conflicts with what exists (feedback about oneself, or twice for one stay)',
  429: 'Too many attempts: wait for Retry-After seconds',
};

/** One Warmshowers operation: its success answer in JSON and XML, its refusals in the seed's shape. */
export function WarmshowersAnswer(
  description: string,
  schema: SchemaObject,
  refusals: readonly (keyof typeof REFUSALS)[],
  options: { form?: boolean; plain?: boolean } = {},
) {
  const success: ContentObject = options.plain ? { 'text/plain': { schema } } : { 'application/json': { schema }, 'application/xml': { schema: XML_TEXT } };
  return applyDecorators(
    ApiTags('compat: warmshowers'),
    ApiExtension('x-parley-compat', 'warmshowers'),
    ...(options.form ? [ApiConsumes('application/x-www-form-urlencoded')] : []),
    ApiResponse({ status: 200, description, content: success }),
    ...refusals.map((status) =>
      ApiResponse({
        status,
        description: REFUSALS[status],
        content: { 'application/json': { schema: MESSAGE_SCHEMA }, 'application/xml': { schema: XML_TEXT } },
      }),
    ),
    // What Parley's own edge answers before the surface sees the request.
    ...([413, 415, 503, 507] as const).map((status) =>
      ApiResponse({ status, description: 'Parley’s edge (body too large or not a form, a store unavailable or full)', content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } } }),
    ),
  );
}
