import { createPublicKey } from 'node:crypto';
import type { Decider } from '../decider';
import { assertNever, conflict, notFound, validationError, type ErrorDetail } from '../errors';
import type { ApplicationEvent, ParleyEvent } from '../events';
import { nameCharactersDetail } from '../text';

export type ApplicationState =
  | { readonly status: 'absent' }
  | ({ readonly status: 'active' } & ApplicationProfile)
  | ({ readonly status: 'removed' } & ApplicationProfile);
export interface ApplicationProfile {
  readonly applicationId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly keyGenerated: boolean;
  readonly registeredAt: string;
}
export type ActiveApplication = Extract<ApplicationState, { status: 'active' }>;

export const initialApplicationState: ApplicationState = { status: 'absent' };

export type ApplicationCommand =
  | {
      readonly type: 'RegisterApplication';
      readonly applicationId: string;
      readonly name: string;
      /** SPKI PEM (RS256); the handler generates a pair when the caller gives none. */
      readonly publicKey: string;
      readonly keyGenerated: boolean;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'RemoveApplication'; readonly actor: string; readonly now: string };

const APPLICATION_TYPES: ReadonlySet<string> = new Set<ApplicationEvent['type']>(['ApplicationRegistered', 'ApplicationRemoved']);
export const isApplicationEvent = (event: ParleyEvent): event is ApplicationEvent => APPLICATION_TYPES.has(event.type);

export function evolveApplication(state: ApplicationState, event: ApplicationEvent): ApplicationState {
  switch (event.type) {
    case 'ApplicationRegistered':
      return {
        status: 'active',
        applicationId: event.data.applicationId,
        name: event.data.name,
        publicKey: event.data.publicKey,
        keyGenerated: event.data.keyGenerated,
        registeredAt: event.data.registeredAt,
      };
    case 'ApplicationRemoved':
      return state.status === 'absent' ? state : { ...state, status: 'removed' };
    default:
      return assertNever(event, 'application event');
  }
}

/** At least 2048 bits, as RFC 7518 asks of RS256 keys. */
const MIN_RSA_BITS = 2048;

/** Why a PEM is not an RS256 public key Parley can verify with, or null. */
export function publicKeyProblem(pem: string): string | null {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') return 'must be an RSA public key (RS256)';
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `must be an RSA key of at least ${MIN_RSA_BITS} bits`;
    return null;
  } catch {
    return 'must be a PEM-encoded RSA public key';
  }
}

export function requireActiveApplication(state: ApplicationState): ActiveApplication {
  if (state.status !== 'active') throw notFound('APPLICATION.NOT_FOUND', 'Application not found');
  return state;
}

export function decideApplication(command: ApplicationCommand, state: ApplicationState): ApplicationEvent[] {
  switch (command.type) {
    case 'RegisterApplication': {
      if (state.status !== 'absent') throw conflict('APPLICATION.ALREADY_EXISTS', 'Application already exists');
      const details: ErrorDetail[] = [];
      const name = command.name.trim();
      if (name.length === 0 || name.length > 100) details.push({ field: 'name', reason: 'must be 1 to 100 characters' });
      const nameDetail = nameCharactersDetail(command.name, 'name');
      if (nameDetail) details.push(nameDetail);
      const keyProblem = publicKeyProblem(command.publicKey);
      if (keyProblem) details.push({ field: 'publicKey', reason: keyProblem });
      if (details.length > 0) {
        throw validationError('APPLICATION.INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
      }
      return [
        {
          type: 'ApplicationRegistered',
          data: {
            applicationId: command.applicationId,
            name,
            publicKey: command.publicKey,
            keyGenerated: command.keyGenerated,
            registeredBy: command.actor,
            registeredAt: command.now,
          },
        },
      ];
    }
    case 'RemoveApplication': {
      if (state.status === 'absent') throw notFound('APPLICATION.NOT_FOUND', 'Application not found');
      if (state.status === 'removed') return [];
      return [{ type: 'ApplicationRemoved', data: { applicationId: state.applicationId, removedBy: command.actor, removedAt: command.now } }];
    }
    default:
      return assertNever(command, 'application command');
  }
}

/** An application, stream `application-<id>`. */
export const applicationDecider: Decider<ApplicationCommand, ApplicationState, ApplicationEvent> = {
  initialState: initialApplicationState,
  evolve: (state, event) => (isApplicationEvent(event) ? evolveApplication(state, event) : state),
  decide: decideApplication,
};
