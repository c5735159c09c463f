import { conflict } from '../errors';
import type { UserEvent, UserRegistered, UsernameClaimed } from '../events';
import { normalizeUsername } from '../streams';

export type UserState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly username: string;
      readonly displayName: string;
      readonly passwordHash: string;
    };

export const initialUserState: UserState = { status: 'absent' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return {
        status: 'registered',
        userId: event.data.userId,
        username: event.data.username,
        displayName: event.data.displayName,
        passwordHash: event.data.passwordHash,
      };
    case 'UsernameClaimed':
      return state;
    default:
      return state;
  }
}

export interface RegisterUser {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly now: string;
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
  if (user.status === 'registered') throw conflict('USER.USERNAME_TAKEN', `Username ${command.username} is taken`);
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
