import { StoreUnavailableError } from '../config/store-connection';
import { WrongExpectedRevisionError, type EventStore, type NewEvent } from './event-store.port';
import { MemoryEventStore } from './memory-event-store';
import { AppendOutcomeUnknownError, settleAppend } from './settle-append';

const event = (id: string): NewEvent => ({ id, type: 'CommentPosted', version: 1, data: { text: id }, metadata: {} });

/** Which way the double's next appends fail: written then unanswered, unanswered and not written, or refused unsent. */
type Failure = 'lose-answer' | 'lose-request' | 'known-down';

/** A port double over the memory store that fails appends on demand, as a networked store can. */
class FailingStore {
  readonly inner = new MemoryEventStore({ positions: 'packed' });
  readonly plan: Failure[] = [];
  readonly notSent = new WeakSet<object>();
  attempts = 0;

  async append(...args: Parameters<EventStore['append']>) {
    this.attempts++;
    const failure = this.plan.shift();
    if (failure === 'known-down') {
      const refusal = new StoreUnavailableError('EventStoreDB', 'esdb://db:2113', 'connection refused');
      this.notSent.add(refusal);
      throw refusal;
    }
    if (failure === 'lose-request') throw new StoreUnavailableError('EventStoreDB', 'esdb://db:2113', 'deadline exceeded');
    const result = await this.inner.append(...args);
    if (failure === 'lose-answer') throw new StoreUnavailableError('EventStoreDB', 'esdb://db:2113', 'deadline exceeded');
    return result;
  }

  readStream(...args: Parameters<EventStore['readStream']>) {
    return this.inner.readStream(...args);
  }

  settle(events: readonly NewEvent[], expected: Parameters<EventStore['append']>[2], retries = 3) {
    return settleAppend(this, 'room-1', events, expected, {
      store: 'EventStoreDB',
      ambiguous: (error) => error instanceof StoreUnavailableError && !this.notSent.has(error),
      retries,
    });
  }
}

describe('an append whose outcome is unknown is settled, never written twice', () => {
  it('given an append written whose answer was lost, when it is retried, then the events are found at their revisions and stored once', async () => {
    const store = new FailingStore();
    await store.inner.append('room-1', [event('e0')], 'no_stream');
    store.plan.push('lose-answer');
    const result = await store.settle([event('e1'), event('e2')], 0);
    const stream = await store.inner.readStream('room-1');
    expect(stream.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(result).toEqual({ nextRevision: 2, position: stream[2]!.position, positions: [stream[1]!.position, stream[2]!.position] });
  });

  it('given an append lost on its way, when it is retried, then it is written by the retry, once', async () => {
    const store = new FailingStore();
    store.plan.push('lose-request');
    const result = await store.settle([event('e0')], 'no_stream');
    expect((await store.inner.readStream('room-1')).map((e) => e.id)).toEqual(['e0']);
    expect(result.nextRevision).toBe(0);
    expect(store.attempts).toBe(2);
  });

  it('given no expected revision, when the lost answer is retried, then the events are found among the last of the stream', async () => {
    const store = new FailingStore();
    await store.inner.append('room-1', [event('e0')], 'no_stream');
    store.plan.push('lose-answer');
    const result = await store.settle([event('e1')], 'any');
    expect((await store.inner.readStream('room-1')).map((e) => e.id)).toEqual(['e0', 'e1']);
    expect(result.nextRevision).toBe(1);
  });

  it('given another writer took the revision meanwhile, when the lost append is retried, then the conflict surfaces and nothing is written', async () => {
    const store = new FailingStore();
    store.plan.push('lose-request');
    const settling = store.settle([event('mine')], 'no_stream');
    await store.inner.append('room-1', [event('theirs')], 'no_stream');
    await expect(settling).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.inner.readStream('room-1')).map((e) => e.id)).toEqual(['theirs']);
  });

  it('given the store stays down after a lost answer, then the outcome is reported unknown (STORE.OUTCOME_UNKNOWN), not unavailable', async () => {
    const store = new FailingStore();
    store.plan.push('lose-answer', 'known-down', 'known-down');
    await expect(store.settle([event('e0')], 'no_stream', 2)).rejects.toBeInstanceOf(AppendOutcomeUnknownError);
    expect(store.attempts).toBe(3);
  });

  it('given the store is known down before anything is sent, then the refusal is "unavailable" at once, with no retry', async () => {
    const store = new FailingStore();
    store.plan.push('known-down');
    await expect(store.settle([event('e0')], 'no_stream')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.attempts).toBe(1);
    expect(await store.inner.readStream('room-1')).toEqual([]);
  });
});
