import { DEFAULT_PRIVACY, type PrivacySettings, type UserEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  checkNewPassword,
  decideProfile,
  MAX_DISPLAY_NAME,
  MAX_PHOTO_URL,
  MAX_STATUS_MESSAGE,
  type ProfileCommand,
  type ProfileEvent,
} from './profile.decider';
import { evolveUser, initialUserState, type UserState } from './user.decider';

const { given } = deciderSpec<ProfileCommand, UserEvent, UserState>({
  initialState: initialUserState,
  evolve: evolveUser,
  decide: (command, state) => decideProfile(command, state),
});

const ALICE = 'u-alice';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: ALICE, username: 'alice', displayName: 'Alice', passwordHash: 'hash-0', registeredAt: T0 },
};
const phoneAccount: UserEvent = {
  type: 'PhoneAccountCreated',
  data: { userId: ALICE, phoneKey: 'pk', phone: '+15550001', displayName: 'Ali', createdAt: T0, loginId: null },
};
const phoneVerified: UserEvent = { type: 'PhoneVerified', data: { userId: ALICE, codeId: 'c1', verifiedAt: T0 } };
const removed: UserEvent = {
  type: 'UserRemoved',
  data: { userId: ALICE, reason: 'self', feedback: null, removedBy: ALICE, removedAt: T0 },
};
const status = (message: string | null): UserEvent => ({
  type: 'StatusMessageChanged',
  data: { userId: ALICE, message, changedBy: ALICE, changedAt: T0 },
});
const photo = (photoUrl: string | null): UserEvent => ({
  type: 'ProfilePhotoChanged',
  data: { userId: ALICE, photoUrl, changedBy: ALICE, changedAt: T0 },
});

const displayName = (name: string, actor = ALICE): ProfileCommand => ({ type: 'UpdateDisplayName', actor, displayName: name, now: NOW });
const setStatus = (message: string | null): ProfileCommand => ({ type: 'SetStatusMessage', actor: ALICE, message, now: NOW });
const setPhoto = (url: string | null): ProfileCommand => ({ type: 'SetPhoto', actor: ALICE, url, now: NOW });
const privacy = (changes: Partial<PrivacySettings>): ProfileCommand => ({
  type: 'ChangePrivacy',
  actor: ALICE,
  changes,
  now: NOW,
});
const password = (passwordHash: string, actor = ALICE): ProfileCommand => ({ type: 'ChangePassword', actor, passwordHash, now: NOW });

const statusChanged = (message: string | null): ProfileEvent => ({
  type: 'StatusMessageChanged',
  data: { userId: ALICE, message, changedBy: ALICE, changedAt: NOW },
});

describe('profile decider', () => {
  describe('display name', () => {
    it('writes ProfileUpdated with the trimmed name and who changed it', () => {
      given([registered])
        .when(displayName('  Alice Liddell ', 'apikey:admin'))
        .then([
          {
            type: 'ProfileUpdated',
            data: { userId: ALICE, displayName: 'Alice Liddell', updatedBy: 'apikey:admin', updatedAt: NOW },
          },
        ]);
    });

    it('writes nothing when the name is already that', () => {
      given([registered]).when(displayName(' Alice ')).then([]);
    });

    it('sets a name again after it was erased (null)', () => {
      const erased: UserEvent = {
        type: 'UserRegistered',
        data: { userId: ALICE, username: 'alice', displayName: null, passwordHash: 'hash-0', registeredAt: T0 },
      };
      given([erased])
        .when(displayName('Alice'))
        .then([{ type: 'ProfileUpdated', data: { userId: ALICE, displayName: 'Alice', updatedBy: ALICE, updatedAt: NOW } }]);
    });

    it('refuses empty, blank, too long and control characters, each with its code and field', () => {
      for (const name of ['', '   ']) {
        const error = given([registered]).when(displayName(name)).thenThrows('PROFILE.DISPLAY_NAME_EMPTY', 'validation');
        expect(error.details).toEqual([{ field: 'displayName', reason: 'must not be empty' }]);
      }
      given([registered]).when(displayName('x'.repeat(MAX_DISPLAY_NAME + 1))).thenThrows('PROFILE.DISPLAY_NAME_TOO_LONG', 'validation');
      given([registered]).when(displayName('Ali\nce')).thenThrows('PROFILE.DISPLAY_NAME_INVALID', 'validation');
    });

    it('counts characters, not UTF-16 units: 100 emoji fit', () => {
      const name = '😀'.repeat(MAX_DISPLAY_NAME);
      given([registered])
        .when(displayName(name))
        .then([{ type: 'ProfileUpdated', data: { userId: ALICE, displayName: name, updatedBy: ALICE, updatedAt: NOW } }]);
    });
  });

  describe('status message', () => {
    it('sets a message', () => {
      given([registered]).when(setStatus('At the tea party')).then([statusChanged('At the tea party')]);
    });

    it('writes nothing when the message is the same', () => {
      given([registered, status('At the tea party')]).when(setStatus('At the tea party')).then([]);
    });

    it('clears with null, empty or blank; clearing what is clear writes nothing', () => {
      for (const clear of [null, '', '  ']) {
        given([registered, status('busy')]).when(setStatus(clear)).then([statusChanged(null)]);
        given([registered]).when(setStatus(clear)).then([]);
      }
    });

    it('takes exactly 500 characters and refuses 501', () => {
      const max = 'm'.repeat(MAX_STATUS_MESSAGE);
      given([registered]).when(setStatus(max)).then([statusChanged(max)]);
      const error = given([registered])
        .when(setStatus(`${max}m`))
        .thenThrows('PROFILE.STATUS_MESSAGE_TOO_LONG', 'validation');
      expect(error.details).toEqual([{ field: 'message', reason: 'must be at most 500 characters' }]);
    });
  });

  describe('photo', () => {
    const url = 'https://cdn.example.com/a.png';

    it('sets an http(s) URL as given, and removes it with null', () => {
      given([registered])
        .when(setPhoto(url))
        .then([{ type: 'ProfilePhotoChanged', data: { userId: ALICE, photoUrl: url, changedBy: ALICE, changedAt: NOW } }]);
      given([registered, photo(url)])
        .when(setPhoto(null))
        .then([{ type: 'ProfilePhotoChanged', data: { userId: ALICE, photoUrl: null, changedBy: ALICE, changedAt: NOW } }]);
    });

    it('writes nothing for the same URL, or removing no photo', () => {
      given([registered, photo(url)]).when(setPhoto(url)).then([]);
      given([registered]).when(setPhoto(null)).then([]);
    });

    it('refuses other schemes, malformed URLs, credentials and URLs over 2048 characters', () => {
      for (const bad of ['ftp://example.com/a.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA']) {
        given([registered]).when(setPhoto(bad)).thenThrows('PROFILE.PHOTO_URL_SCHEME', 'validation');
      }
      for (const bad of ['not a url', '/relative/a.png', 'https://user:pw@example.com/a.png', ' https://example.com/a.png']) {
        const error = given([registered]).when(setPhoto(bad)).thenThrows('PROFILE.PHOTO_URL_INVALID', 'validation');
        expect(error.details?.[0]?.field).toBe('url');
      }
      const long = `https://example.com/${'a'.repeat(MAX_PHOTO_URL)}`;
      given([registered]).when(setPhoto(long)).thenThrows('PROFILE.PHOTO_URL_TOO_LONG', 'validation');
      const max = `https://example.com/${'a'.repeat(MAX_PHOTO_URL - 'https://example.com/'.length)}`;
      expect(max).toHaveLength(MAX_PHOTO_URL);
      given([registered])
        .when(setPhoto(max))
        .then([{ type: 'ProfilePhotoChanged', data: { userId: ALICE, photoUrl: max, changedBy: ALICE, changedAt: NOW } }]);
    });
  });

  describe('privacy', () => {
    it('writes the whole settings after a partial change', () => {
      given([registered])
        .when(privacy({ photo: 'contacts' }))
        .then([
          {
            type: 'PrivacySettingsChanged',
            data: { userId: ALICE, settings: { ...DEFAULT_PRIVACY, photo: 'contacts' }, changedBy: ALICE, changedAt: NOW },
          },
        ]);
    });

    it('builds on the settings changed before', () => {
      const before: UserEvent = {
        type: 'PrivacySettingsChanged',
        data: { userId: ALICE, settings: { statusMessage: 'none', photo: 'contacts', lastSeen: 'all' }, changedBy: ALICE, changedAt: T0 },
      };
      given([registered, before])
        .when(privacy({ lastSeen: 'none' }))
        .then([
          {
            type: 'PrivacySettingsChanged',
            data: { userId: ALICE, settings: { statusMessage: 'none', photo: 'contacts', lastSeen: 'none', readReceipts: 'all' }, changedBy: ALICE, changedAt: NOW },
          },
        ]);
    });

    it('writes nothing when nothing changes, or nothing is given', () => {
      given([registered]).when(privacy({ statusMessage: 'all', lastSeen: 'all' })).then([]);
      given([registered]).when(privacy({})).then([]);
      given([registered]).when(privacy({ readReceipts: 'all' })).then([]);
    });

    it('hides read receipts: settings written before they existed count as sharing them', () => {
      const before: UserEvent = {
        type: 'PrivacySettingsChanged',
        data: { userId: ALICE, settings: { statusMessage: 'none', photo: 'all', lastSeen: 'all' }, changedBy: ALICE, changedAt: T0 },
      };
      given([registered, before]).when(privacy({ readReceipts: 'all' })).then([]);
      given([registered, before])
        .when(privacy({ readReceipts: 'none' }))
        .then([
          {
            type: 'PrivacySettingsChanged',
            data: { userId: ALICE, settings: { statusMessage: 'none', photo: 'all', lastSeen: 'all', readReceipts: 'none' }, changedBy: ALICE, changedAt: NOW },
          },
        ]);
    });

    it('refuses read receipts for contacts only: 400 naming read_receipts', () => {
      const error = given([registered]).when(privacy({ readReceipts: 'contacts' })).thenThrows('PROFILE.PRIVACY_INVALID', 'validation');
      expect(error.details).toEqual([{ field: 'read_receipts', reason: 'must be all or none' }]);
    });
  });

  describe('password', () => {
    it('writes PasswordChanged with the new hash', () => {
      given([registered])
        .when(password('hash-1', 'apikey:admin'))
        .then([{ type: 'PasswordChanged', data: { userId: ALICE, passwordHash: 'hash-1', changedBy: 'apikey:admin', changedAt: NOW } }]);
    });

    it('writes nothing when the handler passes the current hash (same password)', () => {
      given([registered]).when(password('hash-0')).then([]);
    });

    it('refuses accounts without a password (phone accounts)', () => {
      given([phoneAccount, phoneVerified]).when(password('hash-1')).thenThrows('PROFILE.PASSWORD_NOT_SET', 'conflict');
    });

    it('checks the length of a new password before any hashing', () => {
      expect(() => checkNewPassword('1234567')).toThrow(expect.objectContaining({ code: 'PROFILE.PASSWORD_TOO_SHORT' }));
      expect(() => checkNewPassword('x'.repeat(201))).toThrow(expect.objectContaining({ code: 'PROFILE.PASSWORD_TOO_LONG' }));
      expect(() => checkNewPassword('12345678')).not.toThrow();
      expect(() => checkNewPassword('short', 'password')).toThrow(
        expect.objectContaining({ details: [{ field: 'password', reason: 'must be at least 8 characters' }] }),
      );
    });
  });

  describe('accounts that cannot change', () => {
    const every: ProfileCommand[] = [
      displayName('A'),
      setStatus('x'),
      setPhoto('https://example.com/a.png'),
      privacy({ photo: 'none' }),
      password('hash-1'),
    ];

    it('refuses an unknown user', () => {
      for (const command of every) given([]).when(command).thenThrows('USER.NOT_FOUND', 'not_found');
    });

    it('refuses a pending phone account until it is verified', () => {
      for (const command of every) given([phoneAccount]).when(command).thenThrows('USER.PENDING', 'forbidden');
      given([phoneAccount, phoneVerified])
        .when(setStatus('hi'))
        .then([statusChanged('hi')]);
    });

    it('refuses a removed account, even a no-op', () => {
      for (const command of every) given([registered, removed]).when(command).thenThrows('USER.REMOVED', 'not_found');
      given([registered, removed]).when(setStatus(null)).thenThrows('USER.REMOVED', 'not_found');
    });
  });
});
