import { assertNever, conflict, forbidden, notFound, validationError } from '../errors';
import type {
  PasswordChanged,
  PrivacySettings,
  PrivacySettingsChanged,
  ProfilePhotoChanged,
  ProfileUpdated,
  StatusMessageChanged,
} from '../events';
import type { Decider } from '../decider';
import { evolveUser, initialUserState, isUserEvent, type UserProfile, type UserState } from './user.decider';
import { hasCharactersNotInNames, hasCharactersNotInText, NAME_CHARACTERS_REASON, TEXT_CHARACTERS_REASON } from '../text';

export const MAX_DISPLAY_NAME = 100;
export const MAX_STATUS_MESSAGE = 500;
export const MAX_PHOTO_URL = 2048;
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 200;

export type ProfileEvent =
  | ProfileUpdated
  | StatusMessageChanged
  | ProfilePhotoChanged
  | PrivacySettingsChanged
  | PasswordChanged;

/**
 * What the owner (or an administrator) changes on an account. `actor` lands
 * in the event as `updatedBy` / `changedBy`.
 */
export type ProfileCommand =
  | { readonly type: 'UpdateDisplayName'; readonly actor: string; readonly displayName: string; readonly now: string }
  /** Null, empty or blank clears the status message. */
  | { readonly type: 'SetStatusMessage'; readonly actor: string; readonly message: string | null; readonly now: string }
  /** Null removes the photo. */
  | { readonly type: 'SetPhoto'; readonly actor: string; readonly url: string | null; readonly now: string }
  /** Only the levels given change; the event carries the whole settings. */
  | { readonly type: 'ChangePrivacy'; readonly actor: string; readonly changes: Partial<PrivacySettings>; readonly now: string }
  /**
   * The new hash. The handler checks the current password and, when the new
   * one is the same password, passes the current hash: nothing is written.
   */
  | { readonly type: 'ChangePassword'; readonly actor: string; readonly passwordHash: string; readonly now: string };

/** An account that may change its profile; anything else is refused with its own code. */
export function requireActiveUser(state: UserState): UserProfile {
  switch (state.status) {
    case 'registered':
      return state;
    case 'absent':
      throw notFound('USER.NOT_FOUND', 'No such user');
    case 'pending':
      throw forbidden('USER.PENDING', 'This account is waiting for its phone number to be verified');
    case 'removed':
      throw notFound('USER.REMOVED', 'This account has been removed');
    default:
      return assertNever(state, 'user state');
  }
}

export function decideProfile(command: ProfileCommand, state: UserState): ProfileEvent[] {
  const user = requireActiveUser(state);
  const userId = user.userId;
  switch (command.type) {
    case 'UpdateDisplayName': {
      const displayName = checkDisplayName(command.displayName);
      if (displayName === user.displayName) return [];
      return [{ type: 'ProfileUpdated', data: { userId, displayName, updatedBy: command.actor, updatedAt: command.now } }];
    }
    case 'SetStatusMessage': {
      const message = checkStatusMessage(command.message);
      if (message === user.statusMessage) return [];
      return [{ type: 'StatusMessageChanged', data: { userId, message, changedBy: command.actor, changedAt: command.now } }];
    }
    case 'SetPhoto': {
      const photoUrl = command.url === null ? null : checkPhotoUrl(command.url);
      if (photoUrl === user.photoUrl) return [];
      return [{ type: 'ProfilePhotoChanged', data: { userId, photoUrl, changedBy: command.actor, changedAt: command.now } }];
    }
    case 'ChangePrivacy': {
      const settings: PrivacySettings = {
        statusMessage: command.changes.statusMessage ?? user.privacy.statusMessage,
        photo: command.changes.photo ?? user.privacy.photo,
        lastSeen: command.changes.lastSeen ?? user.privacy.lastSeen,
        readReceipts: command.changes.readReceipts ?? user.privacy.readReceipts ?? 'all',
      };
      if (settings.readReceipts === 'contacts') {
        throw validationError('PROFILE.PRIVACY_INVALID', 'read_receipts is all or none: receipts are shared with a room or with nobody', [
          { field: 'read_receipts', reason: 'must be all or none' },
        ]);
      }
      if (samePrivacy(settings, user.privacy)) return [];
      return [{ type: 'PrivacySettingsChanged', data: { userId, settings, changedBy: command.actor, changedAt: command.now } }];
    }
    case 'ChangePassword': {
      if (user.passwordHash === null) {
        throw conflict('PROFILE.PASSWORD_NOT_SET', 'This account signs in with its phone number and has no password');
      }
      if (command.passwordHash === user.passwordHash) return [];
      return [
        {
          type: 'PasswordChanged',
          data: { userId, passwordHash: command.passwordHash, changedBy: command.actor, changedAt: command.now },
        },
      ];
    }
    default:
      return assertNever(command, 'profile command');
  }
}

/** Length in characters as people count them (code points), not UTF-16 units. */
const length = (text: string): number => [...text].length;

/** Trimmed; refused when empty, too long or holding characters names may not hold (libs/domain/text.ts). */
export function checkDisplayName(raw: string): string {
  const displayName = raw.trim();
  if (displayName === '') {
    throw validationError('PROFILE.DISPLAY_NAME_EMPTY', 'A display name cannot be empty', [
      { field: 'displayName', reason: 'must not be empty' },
    ]);
  }
  if (length(displayName) > MAX_DISPLAY_NAME) {
    throw validationError('PROFILE.DISPLAY_NAME_TOO_LONG', `A display name has at most ${MAX_DISPLAY_NAME} characters`, [
      { field: 'displayName', reason: `must be at most ${MAX_DISPLAY_NAME} characters` },
    ]);
  }
  if (hasCharactersNotInNames(raw)) {
    throw validationError(
      'PROFILE.DISPLAY_NAME_INVALID',
      'A display name cannot hold line breaks, control, bidirectional override or zero-width characters',
      [{ field: 'displayName', reason: NAME_CHARACTERS_REASON }],
    );
  }
  return displayName;
}

/** Null for null, empty or blank (a clear); otherwise the message as written, at most 500 characters. */
export function checkStatusMessage(raw: string | null): string | null {
  if (raw === null || raw.trim() === '') return null;
  if (hasCharactersNotInText(raw)) {
    throw validationError('PROFILE.STATUS_MESSAGE_INVALID', 'A status message cannot hold NUL characters', [
      { field: 'message', reason: TEXT_CHARACTERS_REASON },
    ]);
  }
  if (length(raw) > MAX_STATUS_MESSAGE) {
    throw validationError('PROFILE.STATUS_MESSAGE_TOO_LONG', `A status message has at most ${MAX_STATUS_MESSAGE} characters`, [
      { field: 'message', reason: `must be at most ${MAX_STATUS_MESSAGE} characters` },
    ]);
  }
  return raw;
}

/** A photo uploaded to Parley: its media path (issue #15), which the media read model ties to its owner. */
export const PARLEY_MEDIA_PATH = /^\/v1\/media\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An absolute http(s) URL without credentials, at most 2048 characters, kept as given; or an uploaded photo's media path. */
export function checkPhotoUrl(url: string, field = 'url'): string {
  if (PARLEY_MEDIA_PATH.test(url)) return url;
  if (url.length > MAX_PHOTO_URL) {
    throw validationError('PROFILE.PHOTO_URL_TOO_LONG', `A photo URL has at most ${MAX_PHOTO_URL} characters`, [
      { field, reason: `must be at most ${MAX_PHOTO_URL} characters` },
    ]);
  }
  let parsed: URL | null = null;
  if (!/[\s\p{Cc}]/u.test(url)) {
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
  }
  const invalid = () =>
    validationError('PROFILE.PHOTO_URL_INVALID', 'The photo URL is not a valid absolute URL', [
      { field, reason: 'must be an absolute URL with a host and without credentials' },
    ]);
  if (parsed === null) throw invalid();
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw validationError('PROFILE.PHOTO_URL_SCHEME', 'A photo URL must use http or https', [
      { field, reason: 'must start with http:// or https://' },
    ]);
  }
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') throw invalid();
  return url;
}

/** Checked before hashing, so the handler never spends scrypt on a refused password. */
export function checkNewPassword(password: string, field = 'newPassword'): void {
  if (length(password) < MIN_PASSWORD) {
    throw validationError('PROFILE.PASSWORD_TOO_SHORT', `A password has at least ${MIN_PASSWORD} characters`, [
      { field, reason: `must be at least ${MIN_PASSWORD} characters` },
    ]);
  }
  if (length(password) > MAX_PASSWORD) {
    throw validationError('PROFILE.PASSWORD_TOO_LONG', `A password has at most ${MAX_PASSWORD} characters`, [
      { field, reason: `must be at most ${MAX_PASSWORD} characters` },
    ]);
  }
}

const samePrivacy = (a: PrivacySettings, b: PrivacySettings): boolean =>
  a.statusMessage === b.statusMessage &&
  a.photo === b.photo &&
  a.lastSeen === b.lastSeen &&
  (a.readReceipts ?? 'all') === (b.readReceipts ?? 'all');

/** Profile changes on an account, stream `user-<id>` (whose state the user decider folds). */
export const profileDecider: Decider<ProfileCommand, UserState, ProfileEvent> = {
  initialState: initialUserState,
  evolve: (state, event) => (isUserEvent(event) ? evolveUser(state, event) : state),
  decide: decideProfile,
};
