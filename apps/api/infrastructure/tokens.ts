/** Injection tokens for the ports; adapters are chosen from configuration. */
export const PARLEY_CONFIG = Symbol('PARLEY_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_STORE = Symbol('READ_STORE');
export const PROJECTOR = Symbol('PROJECTOR');
