import { notFound, conflict, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import type { PresenceChanged, PresenceDevice, PresenceStatus } from '../events';
import { hasCharactersNotInNames, hasCharactersNotInText, NAME_CHARACTERS_REASON, TEXT_CHARACTERS_REASON } from '../text';

/**
 * A user's presence (Trillian: status, message, device; Windu: connected
 * status and last seen). Stream `presence-<userId>`, one small stream per
 * user so that an update never reads anything else of theirs.
 *
 * Last seen, precisely: the `changedAt` of the last PresenceChanged that was
 * written while the user showed as connected (online, away or busy) or that
 * made them show as connected. Going offline or invisible therefore stamps
 * last seen once, at that moment; later changes while offline or invisible
 * leave it where it was, so an invisible user's activity never shows.
 */
export const PRESENCE_STATUSES: readonly PresenceStatus[] = ['online', 'away', 'busy', 'invisible', 'offline'];
export const PRESENCE_MESSAGE_MAX = 500;
export const PRESENCE_DEVICE_FIELD_MAX = 100;

/** The statuses in which others see a user as connected (fresh status, message and device). */
export const showsConnected = (status: PresenceStatus): boolean =>
  status === 'online' || status === 'away' || status === 'busy';

export interface PresenceState {
  readonly status: PresenceStatus;
  readonly message: string | null;
  readonly device: PresenceDevice | null;
  readonly lastSeenAt: string | null;
  readonly changedAt: string | null;
  readonly changedBy: string | null;
}

/** Nobody has set anything yet: offline, never seen. */
export const initialPresenceState: PresenceState = {
  status: 'offline',
  message: null,
  device: null,
  lastSeenAt: null,
  changedAt: null,
  changedBy: null,
};

export function evolvePresence(state: PresenceState, event: PresenceChanged): PresenceState {
  const { status, message, device, changedBy, changedAt } = event.data;
  const seen = showsConnected(status) || showsConnected(state.status);
  return {
    status,
    message,
    device,
    lastSeenAt: seen ? changedAt : state.lastSeenAt,
    changedAt,
    changedBy,
  };
}

/** The account the presence belongs to, as the handler found it in `user-<id>`. */
export type PresenceAccount = 'absent' | 'pending' | 'registered' | 'removed';

export interface SetPresence {
  readonly type: 'SetPresence';
  readonly userId: string;
  readonly account: PresenceAccount;
  readonly status: string;
  /** Null or "" clears it. */
  readonly message: string | null;
  readonly device: PresenceDevice | null;
  /** The user, or the API key (`apikey:<id>`) of an administrator. */
  readonly actor: string;
  readonly now: string;
}

const isStatus = (value: string): value is PresenceStatus => (PRESENCE_STATUSES as readonly string[]).includes(value);

function checkDevice(device: PresenceDevice, details: ErrorDetail[]): void {
  for (const field of ['name', 'platform', 'version'] as const) {
    const value: unknown = device[field];
    if (typeof value !== 'string' || value.trim() === '') {
      details.push({ field: `device.${field}`, reason: 'must be a non-empty string' });
    } else if (value.length > PRESENCE_DEVICE_FIELD_MAX) {
      details.push({ field: `device.${field}`, reason: `must be at most ${PRESENCE_DEVICE_FIELD_MAX} characters` });
    } else if (hasCharactersNotInNames(value)) {
      details.push({ field: `device.${field}`, reason: NAME_CHARACTERS_REASON });
    }
  }
}

const sameDevice = (a: PresenceDevice | null, b: PresenceDevice | null): boolean =>
  a === b || (a !== null && b !== null && a.name === b.name && a.platform === b.platform && a.version === b.version);

/**
 * A PUT of the whole presence: what is not given (message, device) is
 * cleared. An update identical to the current presence is still written
 * while the user shows as connected, because it moves last seen (a
 * heartbeat); while offline or invisible it would change nothing, so it
 * writes nothing.
 */
export function decidePresence(command: SetPresence, state: PresenceState): PresenceChanged[] {
  const message = command.message === '' ? null : command.message;
  if (!isStatus(command.status)) {
    throw validationError('PRESENCE.STATUS_INVALID', `status must be one of ${PRESENCE_STATUSES.join(', ')}`, [
      { field: 'status', reason: `must be one of ${PRESENCE_STATUSES.join(', ')}` },
    ]);
  }
  if (message !== null && message.length > PRESENCE_MESSAGE_MAX) {
    throw validationError('PRESENCE.MESSAGE_TOO_LONG', `message must be at most ${PRESENCE_MESSAGE_MAX} characters`, [
      { field: 'message', reason: `must be at most ${PRESENCE_MESSAGE_MAX} characters` },
    ]);
  }
  if (message !== null && hasCharactersNotInText(message)) {
    throw validationError('PRESENCE.MESSAGE_INVALID', `message ${TEXT_CHARACTERS_REASON}`, [
      { field: 'message', reason: TEXT_CHARACTERS_REASON },
    ]);
  }
  if (command.device !== null) {
    const details: ErrorDetail[] = [];
    checkDevice(command.device, details);
    if (details.length > 0) {
      throw validationError('PRESENCE.DEVICE_INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
    }
  }
  switch (command.account) {
    case 'absent':
      throw notFound('PRESENCE.USER_NOT_FOUND', 'No such user');
    case 'removed':
      throw conflict('PRESENCE.USER_REMOVED', 'The account was removed');
    case 'pending':
      throw conflict('PRESENCE.USER_PENDING', 'The account is not verified yet');
    case 'registered':
      break;
  }
  const status = command.status;
  const unchanged =
    status === state.status && message === state.message && sameDevice(command.device, state.device);
  if (unchanged && !showsConnected(state.status)) return [];
  return [
    {
      type: 'PresenceChanged',
      data: {
        userId: command.userId,
        status,
        message,
        device:
          command.device === null
            ? null
            : { name: command.device.name, platform: command.device.platform, version: command.device.version },
        changedBy: command.actor,
        changedAt: command.now,
      },
    },
  ];
}

/** One user's presence, stream `presence-<userId>`. */
export const presenceDecider: Decider<SetPresence, PresenceState, PresenceChanged> = {
  initialState: initialPresenceState,
  evolve: (state, event) => (event.type === 'PresenceChanged' ? evolvePresence(state, event) : state),
  decide: decidePresence,
};
