/** Injection tokens for the ports; adapters are chosen from configuration. */
export const PARLEY_CONFIG = Symbol('PARLEY_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_STORE = Symbol('READ_STORE');
export const PROJECTOR = Symbol('PROJECTOR');
/** The event-store adapter itself, personal fields as stored (ciphertext): exports and imports use it. */
export const RAW_EVENT_STORE = Symbol('RAW_EVENT_STORE');
/** Users' personal-data keys (libs/personal-data), outside the log. */
export const KEY_STORE = Symbol('KEY_STORE');
