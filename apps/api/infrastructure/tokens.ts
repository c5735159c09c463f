/** Injection tokens for the ports; adapters are chosen from configuration. */
export const PARLEY_CONFIG = Symbol('PARLEY_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_STORE = Symbol('READ_STORE');
/**
 * The API's own short-lived state, which no event makes and no rebuild
 * recreates: application token ids already used, sign-in attempts. In
 * production the read store (shared by every API process); on the embedded
 * profile a SQLite file of its own, so the API's thread never waits on the
 * projector thread's write lock (createApiStateStore).
 */
export const API_STATE_STORE = Symbol('API_STATE_STORE');
export const PROJECTOR = Symbol('PROJECTOR');
/** The event-store adapter itself, personal fields as stored (ciphertext): exports and imports use it. */
export const RAW_EVENT_STORE = Symbol('RAW_EVENT_STORE');
/** Users' personal-data keys (libs/personal-data), outside the log. */
export const KEY_STORE = Symbol('KEY_STORE');
