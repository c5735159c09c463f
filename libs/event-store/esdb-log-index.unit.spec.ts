import { loadConfig } from '../config/config';
import { createEventStore } from '../wiring/stores';
import { hasLogIndex } from './log-index';

describe("EventStoreDB's log index for the console", () => {
  const production = {
    EVENT_STORE_URL: 'esdb://127.0.0.1:1?tls=false',
    READ_STORE_URL: 'mongodb://127.0.0.1:1/parley?replicaSet=rs0',
    JWT_SECRET: 'x'.repeat(48),
    PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  it('is offered only when the operator says the server runs its system projections (else $et- streams would read as empty)', async () => {
    const without = createEventStore(loadConfig(production));
    const withIndex = createEventStore(loadConfig({ ...production, EVENTSTORE_LOG_INDEX: 'system-projections' }));
    try {
      expect(hasLogIndex(without)).toBe(false);
      expect(hasLogIndex(withIndex)).toBe(true);
    } finally {
      await Promise.all([without.close(), withIndex.close()]);
    }
  });

  it('refuses an unknown EVENTSTORE_LOG_INDEX, naming it', () => {
    expect(() => loadConfig({ ...production, EVENTSTORE_LOG_INDEX: 'yes' })).toThrow(/EVENTSTORE_LOG_INDEX/);
  });
});
