import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, type ErrorStatus } from '../../common/openapi';

type Schema = Record<string, unknown>;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const closed = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const peer = closed({ id: int });
const peers = closed({ href: { type: 'string', format: 'uri' }, peer: { type: 'array', items: peer } }, ['href']);
const group = closed({ id: int, displayname: str, name: str, parent: int, peers, policy: int, priority: int, type: { type: 'integer', enum: [0, 1] } });
const policy = closed({ id: int, data: str, name: str });

const link = closed({ href: { type: 'string', format: 'uri' } });
const member = closed({ name: str, flags: int });
const members = closed({ href: { type: 'string', format: 'uri' }, member: { type: 'array', items: member } }, ['href']);
const groupchat = closed({ name: str, displayname: str, flags: int, groups: link, media: link, members, messageTimestamp: int, messages: link, topic: str });
const message = closed({ timestamp: int, from: str, text: str });
const week = closed({ flags: int, href: { type: 'string', format: 'uri' }, messages: int, week: int, year: int });
const weeks = closed({ conversation: str, medium: str, name: str, revision: int, week: { type: 'array', items: week } }, ['conversation', 'medium', 'name', 'revision']);

const device = closed({ ip: int, name: str, platform: str, version: str, build: int });
const presence = closed({
  name: str,
  status: { type: 'integer', enum: [0, 1, 2, 3, 4], description: '0 offline, 1 online, 2 away, 3 busy, 4 invisible' },
  message: str,
  timestamp: int,
  devices: { oneOf: [str, closed({ device: { type: 'array', items: device } })] },
});
const user = closed({ name: str, im: str, displayname: str }, ['name']);
const avatar = closed({ href: { type: 'string', format: 'uri' }, type: str, size: int });
const media = closed({
  m: { ...str, format: 'uuid' },
  createdAt: int,
  expiresAt: int,
  size: int,
  owner: str,
  type: str,
  name: str,
  thumbnail: { ...str, description: 'Base64 of the 64 px thumbnail (images); empty otherwise' },
  data: { ...str, description: 'A list: base64 of the SHA-256 of the bytes. A single item: base64 of the bytes' },
});

/** The JSON form of each answer: `{ response: … }`, attributes as plain keys. */
const ANSWERS = {
  groups: closed({ group: { type: 'array', items: group } }, []),
  group: closed({ group }),
  peers: closed({ peers }),
  peer: closed({ peer }),
  policies: closed({ policy: { type: 'array', items: policy } }, []),
  policy: closed({ policy }),
  groupchats: closed({ groupchat: { type: 'array', items: groupchat } }, []),
  groupchat: closed({ groupchat }),
  members: closed({ members }),
  member: closed({ member }),
  weeks: closed({ messages: weeks }),
  /** A user's conversations, each with its weeks. */
  conversations: closed({ messages: { type: 'array', items: weeks } }, []),
  week: closed({ messages: { oneOf: [str, closed({ message: { oneOf: [message, { type: 'array', items: message }] } })] } }),
  message: closed({ message }),
  presences: closed({ presence: { type: 'array', items: presence } }, []),
  users: closed({ user: { type: 'array', items: user } }, []),
  user: closed({ user }),
  avatar: closed({ avatar }),
  medias: closed({ media: { type: 'array', items: media } }, []),
  media: closed({ media }),
} as const;
export type TrillianAnswerKind = keyof typeof ANSWERS;

export const TRILLIAN_ERRORS: readonly ErrorStatus[] = COMMAND_ERRORS;

/**
 * A Trillian success answer: XML shaped as the seed's examples by default
 * (`application/xml`, described as text: its element structure is checked
 * against the seed by the e2e suite), JSON on request; and its errors.
 */
export const TrillianAnswer = (status: number | null, kind: TrillianAnswerKind | null, ...errors: ErrorStatus[]) =>
  applyDecorators(
    ...(status !== null && kind !== null
      ? [
          ApiResponse({
            status,
            description: `<response> with the ${kind}`,
            content: {
              'application/xml': { schema: { type: 'string', description: 'XML: <response>…</response>' } },
              'application/json': { schema: closed({ response: ANSWERS[kind] }) },
            },
          }),
        ]
      : []),
    ApiErrors(...errors),
  );
