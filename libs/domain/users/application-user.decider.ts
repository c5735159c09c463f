import type { Decider } from '../decider';
import { assertNever, notFound, validationError } from '../errors';
import type { ApplicationUserCreated, ProfilePhotoChanged, ProfileUpdated, UserPropertiesChanged } from '../events';
import { jsonLimitViolation, PROPERTIES_LIMITS } from '../json-limits';
import { checkDisplayName, checkPhotoUrl } from './profile.decider';
import { decideCreateApplicationUser, evolveUser, initialUserState, isUserEvent, type CreateApplicationUser, type UserProfile, type UserState } from './user.decider';

/**
 * An application's change to a user it created: only the fields given
 * change. `name` is not among them: the user's id derives from it and the
 * application's tokens name the user by it (`sub`).
 */
export interface UpdateApplicationUser {
  readonly type: 'UpdateApplicationUser';
  readonly applicationId: string;
  readonly displayName?: string;
  /** Null removes the image. */
  readonly imageUrl?: string | null;
  /** Replaces the user's `custom_data` whole. */
  readonly properties?: Record<string, unknown>;
  readonly actor: string;
  readonly now: string;
}

export type ApplicationUserCommand = CreateApplicationUser | UpdateApplicationUser;
export type ApplicationUserEvent = ApplicationUserCreated | ProfileUpdated | ProfilePhotoChanged | UserPropertiesChanged;

/** A user of `applicationId` that is active; anything else (absent, removed, another application's) is not found. */
export function requireUserOfApplication(state: UserState, applicationId: string): UserProfile {
  if (state.status !== 'registered' || state.applicationId !== applicationId) throw notFound('USER.NOT_FOUND', 'User not found');
  return state;
}

/** Why `properties` is not a user's `custom_data` Parley keeps, or null. */
export function userPropertiesProblem(properties: unknown): string | null {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return 'must be a JSON object';
  return jsonLimitViolation(properties, PROPERTIES_LIMITS);
}

export function decideUpdateApplicationUser(command: UpdateApplicationUser, state: UserState): ApplicationUserEvent[] {
  const user = requireUserOfApplication(state, command.applicationId);
  // Every field is checked before anything is decided: a refusal writes nothing.
  const displayName = command.displayName === undefined ? undefined : checkDisplayName(command.displayName);
  const imageUrl = command.imageUrl === undefined || command.imageUrl === null ? command.imageUrl : checkPhotoUrl(command.imageUrl, 'imageUrl');
  if (command.properties !== undefined) {
    const problem = userPropertiesProblem(command.properties);
    if (problem !== null) throw validationError('USER.PROPERTIES_INVALID', `properties ${problem}`, [{ field: 'properties', reason: problem }]);
  }
  const { userId } = user;
  const events: ApplicationUserEvent[] = [];
  if (displayName !== undefined && displayName !== user.displayName) {
    events.push({ type: 'ProfileUpdated', data: { userId, displayName, updatedBy: command.actor, updatedAt: command.now } });
  }
  if (imageUrl !== undefined && imageUrl !== user.photoUrl) {
    events.push({ type: 'ProfilePhotoChanged', data: { userId, photoUrl: imageUrl, changedBy: command.actor, changedAt: command.now } });
  }
  if (command.properties !== undefined && JSON.stringify(command.properties) !== JSON.stringify(user.properties)) {
    events.push({ type: 'UserPropertiesChanged', data: { userId, properties: command.properties, changedBy: command.actor, changedAt: command.now } });
  }
  return events;
}

export function decideApplicationUser(command: ApplicationUserCommand, state: UserState): ApplicationUserEvent[] {
  switch (command.type) {
    case 'CreateApplicationUser': {
      const created = decideCreateApplicationUser(command, state);
      if (command.imageUrl === undefined && command.properties === undefined) return created;
      const { applicationId, imageUrl, properties, actor, now } = command;
      const more = decideUpdateApplicationUser(
        { type: 'UpdateApplicationUser', applicationId, ...(imageUrl !== undefined ? { imageUrl } : {}), ...(properties !== undefined ? { properties } : {}), actor, now },
        created.reduce(evolveUser, state),
      );
      return [...created, ...more];
    }
    case 'UpdateApplicationUser':
      return decideUpdateApplicationUser(command, state);
    default:
      return assertNever(command, 'application user command');
  }
}

/** Users an application creates and changes, stream `user-<id>` (removal is the account's: `userAccountDecider`). */
export const applicationUserDecider: Decider<ApplicationUserCommand, UserState, ApplicationUserEvent> = {
  initialState: initialUserState,
  evolve: (state, event) => (isUserEvent(event) ? evolveUser(state, event) : state),
  decide: decideApplicationUser,
};
