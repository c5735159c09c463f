import { idFromKey } from '../ids';

/** A member id, distinct from the user id and stable: derived from the room and the user. */
export const memberIdOf = (roomId: string, userId: string): string => idFromKey('member', roomId, userId);
