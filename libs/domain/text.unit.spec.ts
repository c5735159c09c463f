import { checkApiKey } from './api-keys/api-key.decider';
import { decidePostComment, emptyTail } from './comments/comment.decider';
import { decideContacts, evolveContacts, initialContactsState, type ContactsCommand } from './contacts/contacts.decider';
import { readContactEntry } from './contacts/contact-id';
import { DomainError, type ErrorDetail } from './errors';
import { DEFAULT_PERMISSIONS, type ContactEntry, type RoomEvent } from './events';
import { decidePresence, initialPresenceState } from './presence/presence.decider';
import { evolveRoom, initialRoomState } from './rooms/room.decider';
import { hasCharactersNotInNames, hasCharactersNotInText } from './text';
import { decideCreatePhoneAccount } from './users/phone-account.decider';
import { checkDisplayName, checkStatusMessage } from './users/profile.decider';
import { decideRegister, initialUserState } from './users/user.decider';

const NOW = '2024-05-01T12:00:00.000Z';

/** Characters no name holds, by what they do. */
const REFUSED_IN_NAMES: readonly [string, string][] = [
  ['NUL', '\u0000'],
  ['ESC (terminal escape codes)', '\u001b'],
  ['a tab', '\t'],
  ['a line break', '\n'],
  ['DEL', '\u007f'],
  ['a C1 control (CSI)', '\u009b'],
  ['the line separator', '\u2028'],
  ['a left-to-right embedding', '\u202A'],
  ['a right-to-left override', '\u202E'],
  ['a left-to-right isolate', '\u2066'],
  ['a pop directional isolate', '\u2069'],
  ['a zero-width space', '\u200B'],
  ['a zero-width non-joiner', '\u200C'],
  ['a zero-width joiner', '\u200D'],
  ['a word joiner', '\u2060'],
  ['a zero-width no-break space (BOM)', '\uFEFF'],
];

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the characters names and free text may hold', () => {
  it.each(REFUSED_IN_NAMES)('a name may not hold %s', (_, character) => {
    expect(hasCharactersNotInNames(`Ali${character}ce`)).toBe(true);
  });

  it.each([
    ['accents and other scripts', 'Zoë Ōtsuka 李雷 Алиса'],
    ['right-to-left scripts', 'שלום مرحبا'],
    ['directional marks (LRM, RLM, ALM)', 'a\u200Eb\u200Fc\u061Cd'],
    ['emoji', 'Alice 👋🏽'],
  ])('a name may hold %s', (_, name) => {
    expect(hasCharactersNotInNames(name)).toBe(false);
  });

  it('free text keeps line breaks, tabs, emoji (with joiners) and right-to-left marks, but never NUL', () => {
    expect(hasCharactersNotInText('line\n\ttab 👨‍👩‍👧 \u200Fשלום\u202E')).toBe(false);
    expect(hasCharactersNotInText('a\u0000b')).toBe(true);
  });
});

describe('every decider that takes a name applies the rule, naming the field', () => {
  const bad = 'Bob\u202Egnp.exe';

  it('display names (profile)', () => {
    expect(refusal(() => checkDisplayName(bad))).toMatchObject({ code: 'PROFILE.DISPLAY_NAME_INVALID', details: [{ field: 'displayName' }] });
    expect(refusal(() => checkDisplayName('\uFEFFBob'))).toMatchObject({ code: 'PROFILE.DISPLAY_NAME_INVALID' });
    expect(checkDisplayName('  Bob  ')).toBe('Bob');
  });

  it('display names at registration', () => {
    const error = refusal(() =>
      decideRegister({ type: 'RegisterUser', userId: 'u-1', username: 'bob', displayName: bad, passwordHash: 'h', now: NOW }, 'u-1', initialUserState),
    );
    expect(error).toMatchObject({ code: 'USER.DISPLAY_NAME_INVALID', category: 'validation', details: [{ field: 'displayName' }] });
  });

  it('nicknames of phone accounts', () => {
    const error = refusal(() =>
      decideCreatePhoneAccount(
        {
          type: 'CreatePhoneAccount',
          userId: 'u-1',
          phoneKey: 'k',
          phone: '+15551230001',
          displayName: bad,
          newCode: { codeId: 'c', code: '123456', channel: 'sms' },
          hash: (codeId, code) => `${codeId}:${code}`,
          policy: { ttlSeconds: 600, maxAttempts: 5, minIntervalSeconds: 30, perHour: 5 },
          now: NOW,
          loginId: null,
        },
        initialUserState,
      ),
    );
    expect(error).toMatchObject({ code: 'ACCOUNT.NICKNAME_INVALID', details: [{ field: 'nickname' }] });
  });

  it('API key names, before and after trimming', () => {
    for (const name of [bad, '\uFEFFkey']) {
      expect(refusal(() => checkApiKey({ name, scopes: ['admin:users'] }))).toMatchObject({
        code: 'API_KEY.INVALID',
        details: [{ field: 'name' }],
      });
    }
  });

  it('presence devices; presence messages refuse only NUL', () => {
    const base = { type: 'SetPresence', userId: 'u-1', account: 'registered', status: 'online', actor: 'u-1', now: NOW } as const;
    expect(
      refusal(() => decidePresence({ ...base, message: null, device: { name: bad, platform: 'android', version: '14' } }, initialPresenceState)),
    ).toMatchObject({ code: 'PRESENCE.DEVICE_INVALID', details: [{ field: 'device.name' }] });
    expect(refusal(() => decidePresence({ ...base, message: 'a\u0000', device: null }, initialPresenceState))).toMatchObject({
      code: 'PRESENCE.MESSAGE_INVALID',
      details: [{ field: 'message' }],
    });
    expect(decidePresence({ ...base, message: 'away\n\u202Eback soon 👋', device: null }, initialPresenceState)).toHaveLength(1);
  });

  it('status messages refuse only NUL', () => {
    expect(refusal(() => checkStatusMessage('a\u0000b'))).toMatchObject({ code: 'PROFILE.STATUS_MESSAGE_INVALID', details: [{ field: 'message' }] });
    expect(checkStatusMessage('two\nlines \u200Fשלום')).toBe('two\nlines \u200Fשלום');
  });

  it('comments refuse only NUL', () => {
    const room = [
      {
        type: 'RoomCreated',
        data: { roomId: 'r', kind: 'group', name: 'R', topic: null, avatarUrl: null, createdBy: 'u-1', permissions: DEFAULT_PERMISSIONS, historyVisibility: 'shared', applicationId: null, createdAt: NOW },
      },
      { type: 'MemberAdded', data: { roomId: 'r', userId: 'u-1', role: 'owner', addedBy: 'u-1', addedAt: NOW } },
    ] satisfies RoomEvent[];
    const state = room.reduce(evolveRoom, initialRoomState);
    const post = (text: string) =>
      decidePostComment(
        { type: 'PostComment', commentId: 'c', roomId: 'r', actor: 'u-1', text, commentType: 'text', payload: null, replyTo: null, clientId: null, now: NOW },
        state,
        emptyTail,
        null,
      );
    expect(refusal(() => post('a\u0000b'))).toMatchObject({ code: 'COMMENT.TEXT_INVALID', details: [{ field: 'text' }] });
    expect(post('line\n\ttab 👨‍👩‍👧 \u200Fשלום').data.text).toBe('line\n\ttab 👨‍👩‍👧 \u200Fשלום');
  });

  describe('contact names', () => {
    const ann: ContactEntry = { kind: 'username', contactId: 'ann', matchKey: 'username:ann', firstName: 'Ann', lastName: 'Archer' };
    const state = evolveContacts(initialContactsState, {
      type: 'ContactAdded',
      data: { ownerId: 'o', matchKey: ann.matchKey, contact: ann, addedAt: NOW },
    });
    const rename = (fields: { firstName?: string | null; lastName?: string | null }): ContactsCommand => ({
      type: 'RenameContact',
      ownerId: 'o',
      matchKey: ann.matchKey,
      contactId: 'ann',
      now: NOW,
      ...fields,
    });

    it('given a contact, when it is renamed with a null lastName, then CONTACT.INVALID_NAME names lastName (no crash)', () => {
      expect(refusal(() => decideContacts(rename({ lastName: null }), state))).toMatchObject({
        code: 'CONTACT.INVALID_NAME',
        category: 'validation',
        details: [{ field: 'lastName', reason: 'must be a string' }],
      });
      expect(refusal(() => decideContacts(rename({ firstName: null, lastName: null }), state)).details?.map((d) => d.field)).toEqual([
        'firstName',
        'lastName',
      ]);
    });

    it('given a contact, when it is renamed with a bidi override, then CONTACT.INVALID_NAME names the field', () => {
      expect(refusal(() => decideContacts(rename({ firstName: bad }), state))).toMatchObject({
        code: 'CONTACT.INVALID_NAME',
        details: [{ field: 'firstName' }],
      });
    });

    it('an imported entry with a zero-width space in its name is refused, naming the entry', () => {
      const details: ErrorDetail[] = [];
      const entry = readContactEntry({ contactId: 'ann', kind: 'username', lastName: 'Ar\u200Bcher' }, 'contacts[3]', (e) => e, details);
      expect(entry).toBeNull();
      expect(details).toEqual([expect.objectContaining({ field: 'contacts[3].lastName' })]);
    });
  });
});
