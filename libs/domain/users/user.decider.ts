import { assertNever, conflict, notFound, validationError } from '../errors';
import type { Decider } from '../decider';
import { DEFAULT_PRIVACY, type ApplicationUserCreated, type EmailChanged, type ParleyEvent, type PrivacySettings, type UserEvent, type UserRegistered, type UsernameClaimed, type UserRemoved } from '../events';
import { normalizeUsername } from '../streams';
import { hasCharactersNotInNames, NAME_CHARACTERS_REASON } from '../text';
import { decideEmailChange, type SetEmail } from './email';

/** A verification code waiting to be entered (Windu); only its keyed hash is known. */
export interface PendingCode {
  readonly codeId: string;
  readonly codeHash: string;
  readonly expiresAt: string;
  /** Wrong attempts so far. */
  readonly failures: number;
}

export interface UserProfile {
  readonly userId: string;
  /** The application that created the user (no password, no username), and its name there; null otherwise. */
  readonly applicationId: string | null;
  readonly applicationName: string | null;
  /** Null for accounts created by phone. */
  readonly username: string | null;
  readonly displayName: string | null;
  /** Null for phone accounts and after removal. */
  readonly passwordHash: string | null;
  readonly phoneKey: string | null;
  /** A phone account's login (the user holding it); null for every other account and for a phone account that is its own login. */
  readonly loginId: string | null;
  /** A phone account's number (E.164) as its login reads it back; null when erased and for other accounts. */
  readonly phone: string | null;
  /** Lower-cased; null when the account has none, and after removal. */
  readonly email: string | null;
  /** Keyed hash of `email`: the claim the account holds (kept after removal, like the username). */
  readonly emailKey: string | null;
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly privacy: PrivacySettings;
  /** The code last sent, until it is used or replaced. */
  readonly code: PendingCode | null;
  /** When codes were sent, newest last (the last hundred): what request limits are counted on. */
  readonly codesIssuedAt: readonly string[];
  /** The `custom_data` the user's application keeps on them (users of applications only; empty otherwise and after removal). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * `pending`: a phone account whose number is not verified yet;
 * `registered`: an active account; `removed`: gone for good.
 */
export type UserState =
  | { readonly status: 'absent' }
  | ({ readonly status: 'pending' } & UserProfile)
  | ({ readonly status: 'registered' } & UserProfile)
  | ({ readonly status: 'removed' } & UserProfile);

export type KnownUser = Extract<UserState, { status: 'registered' }>;

const USER_EVENT_TYPES: ReadonlySet<string> = new Set<UserEvent['type']>([
  'UsernameClaimed',
  'ApplicationUserCreated',
  'UserPropertiesChanged',
  'UserRegistered',
  'PhoneClaimed',
  'EmailClaimed',
  'EmailChanged',
  'PhoneAccountCreated',
  'VerificationCodeIssued',
  'VerificationCodeFailed',
  'PhoneVerified',
  'PasswordChanged',
  'ProfileUpdated',
  'StatusMessageChanged',
  'ProfilePhotoChanged',
  'PrivacySettingsChanged',
  'UserRemoved',
]);

export const isUserEvent = (event: ParleyEvent): event is UserEvent => USER_EVENT_TYPES.has(event.type);

/** Codes remembered for rate limits; CODE_REQUESTS_PER_HOUR cannot exceed it. */
export const MAX_CODES_REMEMBERED = 100;

export const initialUserState: UserState = { status: 'absent' };

const newProfile = (userId: string): UserProfile => ({
  userId,
  applicationId: null,
  applicationName: null,
  username: null,
  displayName: null,
  passwordHash: null,
  phoneKey: null,
  loginId: null,
  phone: null,
  email: null,
  emailKey: null,
  statusMessage: null,
  photoUrl: null,
  privacy: DEFAULT_PRIVACY,
  code: null,
  codesIssuedAt: [],
  properties: {},
});

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return {
        ...newProfile(event.data.userId),
        status: 'registered',
        username: event.data.username,
        displayName: event.data.displayName,
        passwordHash: event.data.passwordHash,
      };
    case 'ApplicationUserCreated':
      return {
        ...newProfile(event.data.userId),
        status: 'registered',
        displayName: event.data.displayName,
        applicationId: event.data.applicationId,
        applicationName: event.data.name,
      };
    case 'PhoneAccountCreated':
      return {
        ...newProfile(event.data.userId),
        status: 'pending',
        displayName: event.data.displayName,
        phoneKey: event.data.phoneKey,
        loginId: event.data.loginId,
        phone: event.data.phone,
      };
    case 'UsernameClaimed':
    case 'PhoneClaimed':
    case 'EmailClaimed':
      return state;
    default:
      break;
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'VerificationCodeIssued':
      return {
        ...state,
        code: { codeId: event.data.codeId, codeHash: event.data.codeHash, expiresAt: event.data.expiresAt, failures: 0 },
        codesIssuedAt: [...state.codesIssuedAt, event.data.issuedAt].slice(-MAX_CODES_REMEMBERED),
      };
    case 'VerificationCodeFailed':
      return state.code?.codeId === event.data.codeId
        ? { ...state, code: { ...state.code, failures: event.data.attempt } }
        : state;
    case 'PhoneVerified':
      return { ...state, status: state.status === 'removed' ? 'removed' : 'registered', code: null };
    case 'PasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash };
    case 'EmailChanged':
      return { ...state, email: event.data.email, emailKey: event.data.emailKey };
    case 'ProfileUpdated':
      return { ...state, displayName: event.data.displayName };
    case 'StatusMessageChanged':
      return { ...state, statusMessage: event.data.message };
    case 'ProfilePhotoChanged':
      return { ...state, photoUrl: event.data.photoUrl };
    case 'PrivacySettingsChanged':
      return { ...state, privacy: event.data.settings };
    case 'UserPropertiesChanged':
      // Null once the user's key is destroyed: erased data reads as none.
      return { ...state, properties: event.data.properties ?? {} };
    case 'UserRemoved':
      return {
        ...newProfile(state.userId),
        status: 'removed',
        username: state.username,
        phoneKey: state.phoneKey,
        loginId: state.loginId,
        applicationId: state.applicationId,
        applicationName: state.applicationName,
        emailKey: state.emailKey,
      };
    default:
      return assertNever(event, 'user event');
  }
}

export interface RegisterUser {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly now: string;
  /**
   * An email account's address (claimed already in `email-<key>`, see
   * `emailClaimDecider`), recorded with the registration in the same append.
   */
  readonly email?: SetEmail;
}

/**
 * A username is claimed in its own stream before the user stream is written.
 * A claim whose user stream was never written (the process died in between)
 * is completed by the next registration of that name.
 */
export function decideClaim(command: RegisterUser, claim: UsernameClaimed | null): UsernameClaimed | null {
  if (claim) return null;
  return { type: 'UsernameClaimed', data: { username: normalizeUsername(command.username), userId: command.userId } };
}

export function decideRegister(command: RegisterUser, claimedFor: string, user: UserState): UserRegistered {
  if (user.status !== 'absent') throw conflict('USER.USERNAME_TAKEN', `Username ${command.username} is taken`);
  if (hasCharactersNotInNames(command.displayName)) {
    throw validationError('USER.DISPLAY_NAME_INVALID', `displayName ${NAME_CHARACTERS_REASON}`, [
      { field: 'displayName', reason: NAME_CHARACTERS_REASON },
    ]);
  }
  return {
    type: 'UserRegistered',
    data: {
      userId: claimedFor,
      username: command.username,
      displayName: command.displayName,
      passwordHash: command.passwordHash,
      registeredAt: command.now,
    },
  };
}

export interface RemoveUser {
  readonly type: 'RemoveUser';
  readonly userId: string;
  readonly reason: 'self' | 'admin' | 'application';
  readonly feedback: string | null;
  readonly removedBy: string;
  readonly now: string;
  /** An application removing a user: only one it created; another's user is as unknown as a missing one. */
  readonly ofApplication?: string;
}

/** Windu's account removal: once, for an account that exists (pending ones too). */
export function decideRemove(command: RemoveUser, state: UserState): UserRemoved {
  if (state.status === 'absent') throw notFound('USER.NOT_FOUND', `User ${command.userId} does not exist`);
  if (command.ofApplication !== undefined && state.applicationId !== command.ofApplication) {
    throw notFound('USER.NOT_FOUND', `User ${command.userId} does not exist`);
  }
  if (state.status === 'removed') throw notFound('USER.REMOVED', `User ${command.userId} was removed`);
  return {
    type: 'UserRemoved',
    data: {
      userId: command.userId,
      reason: command.reason,
      feedback: command.feedback,
      removedBy: command.removedBy,
      removedAt: command.now,
    },
  };
}

export interface CreateApplicationUser {
  readonly type: 'CreateApplicationUser';
  readonly userId: string;
  readonly applicationId: string;
  readonly name: string;
  readonly displayName: string;
  /** Set in the same append as the creation (application-user.decider.ts). */
  readonly imageUrl?: string;
  readonly properties?: Record<string, unknown>;
  readonly actor: string;
  readonly now: string;
}

/** An application's handle for a user: printable ASCII without spaces, as JWT `sub` values and URLs carry it. */
const APPLICATION_USER_NAME = /^[\x21-\x7e]{1,100}$/;

/**
 * A user of an application, by name (no password). The user id derives from
 * (application, name), so a second user of that name finds the stream taken.
 */
export function decideCreateApplicationUser(command: CreateApplicationUser, state: UserState): ApplicationUserCreated[] {
  if (state.status !== 'absent') throw conflict('USER.NAME_TAKEN', `The application already has a user named ${command.name}`);
  const details = [
    APPLICATION_USER_NAME.test(command.name) ? null : { field: 'name', reason: 'must be 1 to 100 printable ASCII characters without spaces' },
    hasCharactersNotInNames(command.displayName) ? { field: 'displayName', reason: NAME_CHARACTERS_REASON } : null,
    command.displayName.length > 100 ? { field: 'displayName', reason: 'must be at most 100 characters' } : null,
  ].filter((d): d is { field: string; reason: string } => d !== null);
  if (details.length > 0) throw validationError('USER.INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  return [
    {
      type: 'ApplicationUserCreated',
      data: {
        userId: command.userId,
        applicationId: command.applicationId,
        name: command.name,
        displayName: command.displayName,
        createdBy: command.actor,
        createdAt: command.now,
      },
    },
  ];
}


/**
 * An account's life in `user-<id>`: registration (under the id its username
 * claim names, see `usernameClaimDecider`) and removal.
 */
export const userAccountDecider: Decider<RegisterUser | RemoveUser, UserState, UserRegistered | EmailChanged | UserRemoved> = {
  initialState: initialUserState,
  evolve: (state, event) => (isUserEvent(event) ? evolveUser(state, event) : state),
  decide: (command, state) => (command.type === 'RegisterUser' ? decideRegisterAccount(command, state) : [decideRemove(command, state)]),
};

/**
 * Registration, with the address of an email account when there is one. The
 * account of that address registered already (a retry, or a race with
 * another registration of the same address, whose id is the same) is
 * answered as it is: nothing to append.
 */
export function decideRegisterAccount(command: RegisterUser, state: UserState): (UserRegistered | EmailChanged)[] {
  const { email } = command;
  if (email === undefined) return [decideRegister(command, command.userId, state)];
  if (state.status === 'registered' && state.emailKey === email.emailKey) return [];
  return [decideRegister(command, command.userId, state), ...decideEmailChange(email, { emailKey: null })];
}
