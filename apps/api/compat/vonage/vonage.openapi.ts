import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiExtraModels, ApiParam, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_RESPONSES, ErrorDetailDto, type ErrorStatus } from '../../common/openapi';

/*
 * The Vonage Conversation API v1 in Parley's OpenAPI document: the shapes
 * vonage-shapes.ts answers, as closed JSON schemas (the e2e contract check
 * refuses a field the document does not name), and Vonage's error body with
 * Parley's beside it.
 */

export type Schema = SchemaObject;
export const STRING: Schema = { type: 'string' };
export const DATE_TIME: Schema = { type: 'string', format: 'date-time' };
export const HREF: Schema = { type: 'string', description: 'Absolute URL' };
export const LINK: Schema = closed({ href: HREF });
/** Free JSON the application keeps on the resource. */
export const CUSTOM_DATA: Schema = { type: 'object', additionalProperties: true, description: 'The application’s own JSON' };

export function closed(properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}
export const optional = (properties: Record<string, Schema>): Schema => closed(properties, []);
export const prefixedId = (prefix: string): Schema => ({ type: 'string', pattern: `^${prefix}[0-9a-f-]{36}$`, example: `${prefix}8cda4c2d-9a7d-42ff-b695-ec4124dfcc38` });

const USER_ID = prefixedId('USR-');
const CONVERSATION_ID = prefixedId('CON-');
const MEMBER_ID = prefixedId('MEM-');
const EVENT_ID: Schema = { type: 'integer', minimum: 1, description: 'Dense and increasing within the conversation' };
const STATE: Schema = { type: 'string', enum: ['INVITED', 'JOINED', 'LEFT'] };

const USER = closed(
  {
    id: USER_ID,
    name: STRING,
    display_name: STRING,
    image_url: STRING,
    properties: closed({ custom_data: CUSTOM_DATA }),
    timestamp: closed({ created: DATE_TIME }),
    _links: closed({ self: LINK }),
  },
  ['id', 'name', 'display_name', 'properties', 'timestamp', '_links'],
);
const CONVERSATION = closed({
  id: CONVERSATION_ID,
  name: STRING,
  display_name: STRING,
  state: { type: 'string', enum: ['ACTIVE', 'INACTIVE'] },
  timestamp: closed({ created: DATE_TIME }),
  properties: closed({ custom_data: CUSTOM_DATA }),
  _links: closed({ self: LINK }),
});
const MEMBER = closed(
  {
    id: MEMBER_ID,
    conversation_id: CONVERSATION_ID,
    state: STATE,
    timestamp: optional({ invited: DATE_TIME, joined: DATE_TIME, left: DATE_TIME }),
    initiator: closed({ invited: closed({ is_system: { type: 'boolean' }, user_id: USER_ID, member_id: MEMBER_ID }, ['is_system']) }),
    channel: closed({ type: { type: 'string', enum: ['app'] } }),
    _embedded: closed({ user: closed({ id: USER_ID, name: STRING, display_name: STRING, _links: closed({ self: LINK }) }) }),
    _links: closed({ href: HREF }),
  },
  ['id', 'conversation_id', 'state', 'timestamp', 'channel', '_embedded', '_links'],
);
const EVENT = closed(
  {
    id: EVENT_ID,
    type: { type: 'string', description: '`message` for a text message; `member:*`, `conversation:*` for what happened in the conversation; `custom:*` for the application’s own' },
    timestamp: DATE_TIME,
    from: MEMBER_ID,
    body: {
      type: 'object',
      description: 'A message: message_type and text (null once deleted); a custom event: the application’s JSON',
      additionalProperties: true,
    },
    state: { type: 'string', enum: ['DELETED'] },
    _links: closed({ self: LINK }),
  },
  ['id', 'type', 'timestamp', 'body', '_links'],
);
const PAGE_LINKS = closed({ first: LINK, self: LINK, next: LINK, prev: LINK }, ['first', 'self']);
const page = (key: string, item: Schema): Schema =>
  closed({ page_size: { type: 'integer', minimum: 1 }, _embedded: closed({ [key]: { type: 'array', items: item } }), _links: PAGE_LINKS });

export const VONAGE_SCHEMAS = {
  user: USER,
  users: page('users', USER),
  conversation: CONVERSATION,
  conversations: page('conversations', CONVERSATION),
  member: MEMBER,
  members: page('members', MEMBER),
  event: EVENT,
  /** Vonage lists events as an array in `_embedded`. */
  events: closed({ page_size: { type: 'integer', minimum: 1 }, _embedded: { type: 'array', items: EVENT }, _links: PAGE_LINKS }),
} as const;

export class VonageInvalidParameterDto {
  @ApiProperty() name!: string;
  @ApiProperty() reason!: string;
}

/** Vonage's error body (`type`, `title`, `detail`, `instance`) with Parley's error body beside it. */
export class VonageErrorDto {
  @ApiProperty({ example: 'http://developer.nexmo.com/api-errors#not-found' }) type!: string;
  @ApiProperty({ example: 'ROOM.NOT_FOUND', description: 'Parley’s code' }) title!: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ example: '/vonage/v1/conversations/CON-8cda4c2d-9a7d-42ff-b695-ec4124dfcc38' }) instance!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 }) statusCode!: number;
  @ApiProperty({ example: 'ROOM.NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [ErrorDetailDto] }) details?: ErrorDetailDto[];
  @ApiPropertyOptional({ type: [VonageInvalidParameterDto], description: 'The refused fields, as Vonage names them' }) invalid_parameters?: VonageInvalidParameterDto[];
}

/** What every operation of a surface on application tokens may answer besides its own refusals. */
export const SURFACE_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 404, 503];
export const WRITE_ERRORS: readonly ErrorStatus[] = [...SURFACE_ERRORS, 409, 413, 415, 507];

/** A surface's refusals, in its own error body. */
export const SurfaceErrors = (model: new () => unknown, statuses: readonly ErrorStatus[]) =>
  applyDecorators(
    ApiExtraModels(model),
    ...[...new Set(statuses)].map((status) =>
      ApiResponse({ status, description: ERROR_RESPONSES[status], content: { 'application/json': { schema: { $ref: getSchemaPath(model) } } } }),
    ),
  );

export interface SurfaceOperation {
  readonly status: number;
  readonly description: string;
  /** Null: an empty answer. */
  readonly schema: Schema | null;
  readonly body?: Schema;
  readonly query?: readonly string[];
  /** A write without a body (DELETE): it may conflict or find storage full. */
  readonly writes?: boolean;
}

/** The path parameters Vonage names, as strings with their prefixes (not Parley's UUIDs). */
const PATH_PARAMETERS: Record<string, Schema> = {
  user_id: USER_ID,
  conversation_id: CONVERSATION_ID,
  member_id: { type: 'string', description: 'MEM-… or `me` (the member of the token’s sub)' },
  event_id: { type: 'string', pattern: '^[1-9][0-9]*$' },
};
const QUERY_PARAMETERS: Record<string, Schema> = {
  page_size: { type: 'integer', minimum: 1, maximum: 100 },
  cursor: { type: 'string', description: 'From a `next` link' },
  order: { type: 'string', enum: ['asc', 'desc'] },
  record_index: { type: 'integer', minimum: 0 },
  name: { type: 'string' },
};

/** One operation of a seed's surface on application tokens (its controller carries the tag): answer, body, parameters and refusals. */
export function surfaceOperation(tag: string, errorModel: new () => unknown, path: string, operation: SurfaceOperation) {
  const params = [...path.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!);
  const writes = operation.body !== undefined || operation.writes === true;
  return applyDecorators(
    ApiExtension('x-parley-compat', tag),
    ...params.map((name) => ApiParam({ name, schema: PATH_PARAMETERS[name] ?? STRING })),
    ...(operation.query ?? []).map((name) => ApiQuery({ name, required: false, schema: QUERY_PARAMETERS[name] ?? STRING })),
    ...(operation.body !== undefined ? [ApiBody({ schema: operation.body })] : []),
    operation.schema === null
      ? applyDecorators(ApiResponse({ status: operation.status, description: operation.description }), ApiExtension('x-parley-empty-body', true))
      : ApiResponse({ status: operation.status, description: operation.description, content: { 'application/json': { schema: operation.schema } } }),
    SurfaceErrors(errorModel, writes ? WRITE_ERRORS : SURFACE_ERRORS),
  );
}

/** One operation of the Vonage surface. */
export const VonageOperation = (path: string, operation: SurfaceOperation) => surfaceOperation('compat: vonage', VonageErrorDto, path, operation);

/** A request body the surface reads the named fields of; a client's other fields are let through, as Vonage does. */
export const requestBody = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: [...required],
  additionalProperties: true,
});

/** A user's fields as Vonage (and the later Nexmo API) sends them. */
export const USER_BODY: Schema = requestBody({
  name: STRING,
  display_name: STRING,
  image_url: { type: 'string', nullable: true, description: 'null removes it' },
  properties: requestBody({ custom_data: CUSTOM_DATA }),
});

/** A conversation's fields as Vonage (and the later Nexmo API) sends them. */
export const CONVERSATION_BODY: Schema = requestBody({ name: STRING, display_name: STRING, properties: requestBody({ custom_data: CUSTOM_DATA }) });
