import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDetailDto } from '../../common/openapi';
import { closed, CUSTOM_DATA, DATE_TIME, HREF, LINK, optional, prefixedId, STRING, surfaceOperation, type Schema, type SurfaceOperation } from '../vonage/vonage.openapi';

/*
 * The Nexmo Conversation beta in Parley's OpenAPI document: the shapes
 * nexmo-shapes.ts answers, as closed JSON schemas, and the seed's error body
 * with Parley's beside it.
 */

const USER_ID = prefixedId('USR-');
const CONVERSATION_ID = prefixedId('CON-');
const MEMBER_ID = prefixedId('MEM-');
const STATE: Schema = { type: 'string', enum: ['INVITED', 'JOINED', 'LEFT'] };
const SELF = closed({ self: LINK });
const WHOLE: Schema = { type: 'integer', minimum: 0 };

const CREATED = (id: Schema) => closed({ id, href: HREF });
const USER = closed(
  { id: USER_ID, name: STRING, display_name: STRING, image_url: STRING, properties: closed({ custom_data: CUSTOM_DATA }), href: HREF, _links: SELF },
  ['id', 'name', 'display_name', 'properties', 'href', '_links'],
);
const CONVERSATION_SUMMARY = { uuid: CONVERSATION_ID, name: STRING, display_name: STRING, _links: SELF };
const CONVERSATION = closed({
  ...CONVERSATION_SUMMARY,
  timestamp: closed({ created: DATE_TIME }),
  properties: closed({ custom_data: CUSTOM_DATA }),
  sequence_number: { ...WHOLE, description: 'The id of the conversation’s last event' },
  members: { type: 'array', items: closed({ member_id: MEMBER_ID, user_id: USER_ID, name: STRING, state: STATE }) },
});
const MEMBER = closed(
  {
    id: MEMBER_ID,
    conversation_id: CONVERSATION_ID,
    user_id: USER_ID,
    name: STRING,
    state: STATE,
    timestamp: optional({ invited: DATE_TIME, joined: DATE_TIME, left: DATE_TIME }),
    initiator: closed({ invited: closed({ is_system: { type: 'boolean' } }) }),
    channel: closed({ type: { type: 'string', enum: ['app'] } }),
    href: HREF,
    _links: SELF,
  },
  ['id', 'conversation_id', 'user_id', 'name', 'state', 'timestamp', 'channel', 'href', '_links'],
);
const EVENT = closed(
  {
    id: { type: 'integer', minimum: 1, description: 'Dense and increasing within the conversation' },
    type: { type: 'string', description: '`text`; `member:*`, `conversation:*` for what happened in the conversation' },
    timestamp: DATE_TIME,
    from: MEMBER_ID,
    body: { type: 'object', additionalProperties: true, description: '`text` for a text event (none once deleted)' },
    state: { type: 'string', enum: ['DELETED'] },
    href: HREF,
    _links: SELF,
  },
  ['id', 'type', 'timestamp', 'body', 'href', '_links'],
);
const page = (key: string, item: Schema): Schema =>
  closed({
    count: { ...WHOLE, description: 'Records in this page' },
    page_size: { type: 'integer', minimum: 1 },
    record_index: { ...WHOLE, description: 'The index of this page’s first record' },
    _links: closed({ self: LINK, next: LINK }, ['self']),
    _embedded: closed({ [key]: { type: 'array', items: item } }),
  });

export const NEXMO_SCHEMAS = {
  createdUser: CREATED(USER_ID),
  createdConversation: CREATED(CONVERSATION_ID),
  user: USER,
  users: page('users', USER),
  conversation: CONVERSATION,
  conversations: page('conversations', closed(CONVERSATION_SUMMARY)),
  member: MEMBER,
  members: page('members', MEMBER),
  event: EVENT,
  events: page('events', EVENT),
} as const;

export { CUSTOM_DATA, STRING };

/** The seed's error body (`code`, `message`; `description` as the live API said it) with Parley's beside it. */
export class NexmoErrorDto {
  @ApiProperty({ example: 'ROOM.NOT_FOUND', description: 'Parley’s code' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 }) statusCode!: number;
  @ApiPropertyOptional({ type: [ErrorDetailDto] }) details?: ErrorDetailDto[];
}

/** One operation of the Nexmo beta surface. */
export const NexmoOperation = (path: string, operation: SurfaceOperation) => surfaceOperation('compat: nexmo beta', NexmoErrorDto, path, operation);
