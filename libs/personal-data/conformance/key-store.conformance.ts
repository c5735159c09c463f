import { randomBytes } from 'node:crypto';
import type { KeyStore } from '../key-store.port';

/** What every key store must do; run against memory, SQLite and (with a container runtime) MongoDB. */
export function keyStoreConformance(name: string, open: () => Promise<KeyStore>): void {
  describe(`${name} (key store conformance)`, () => {
    let store: KeyStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('keeps the first key of an owner: a second put answers the first', async () => {
      const first = randomBytes(60);
      expect(await store.putIfAbsent('u1', first)).toEqual({ state: 'active', wrapped: first });
      expect(await store.putIfAbsent('u1', randomBytes(60))).toEqual({ state: 'active', wrapped: first });
    });

    it('answers many owners at once and leaves out those without a key', async () => {
      const a = randomBytes(60);
      const b = randomBytes(60);
      await store.putIfAbsent('a', a);
      await store.putIfAbsent('b', b);
      const found = await store.getMany(['a', 'b', 'nobody', 'a']);
      expect([...found.keys()].sort()).toEqual(['a', 'b']);
      expect(found.get('a')).toEqual({ state: 'active', wrapped: a });
      expect(found.get('b')).toEqual({ state: 'active', wrapped: b });
      expect((await store.getMany([])).size).toBe(0);
    });

    it('answers more owners than fit in one query', async () => {
      for (let i = 0; i < 1200; i++) await store.putIfAbsent(`owner-${i}`, Buffer.from([i % 256]));
      const found = await store.getMany(Array.from({ length: 1300 }, (_, i) => `owner-${i}`));
      expect(found.size).toBe(1200);
      expect(found.get('owner-1100')).toEqual({ state: 'active', wrapped: Buffer.from([1100 % 256]) });
    });

    it('destroys a key for good: a tombstone that a later put cannot replace', async () => {
      await store.putIfAbsent('u1', randomBytes(60));
      await store.destroy('u1', '2026-01-01T00:00:00.000Z');
      expect((await store.getMany(['u1'])).get('u1')).toEqual({ state: 'destroyed', destroyedAt: '2026-01-01T00:00:00.000Z' });
      expect(await store.putIfAbsent('u1', randomBytes(60))).toEqual({
        state: 'destroyed',
        destroyedAt: '2026-01-01T00:00:00.000Z',
      });
    });

    it('keeps the first destruction time, and records destruction of an owner that never had a key', async () => {
      await store.putIfAbsent('u1', randomBytes(60));
      await store.destroy('u1', '2026-01-01T00:00:00.000Z');
      await store.destroy('u1', '2026-02-01T00:00:00.000Z');
      await store.destroy('never', '2026-03-01T00:00:00.000Z');
      const found = await store.getMany(['u1', 'never']);
      expect(found.get('u1')).toEqual({ state: 'destroyed', destroyedAt: '2026-01-01T00:00:00.000Z' });
      expect(found.get('never')).toEqual({ state: 'destroyed', destroyedAt: '2026-03-01T00:00:00.000Z' });
    });

    it('lists keys and tombstones in owner order, a page at a time', async () => {
      const a = randomBytes(60);
      await store.putIfAbsent('b', randomBytes(60));
      await store.putIfAbsent('a', a);
      await store.destroy('c', '2026-01-01T00:00:00.000Z');
      const first = await store.list(null, 2);
      expect(first.map((entry) => entry.ownerId)).toEqual(['a', 'b']);
      expect(first[0]?.key).toEqual({ state: 'active', wrapped: a });
      const rest = await store.list('b', 2);
      expect(rest).toEqual([{ ownerId: 'c', key: { state: 'destroyed', destroyedAt: '2026-01-01T00:00:00.000Z' } }]);
      expect(await store.list('c', 2)).toEqual([]);
    });

    it('gives one key to racing puts of one new owner', async () => {
      const candidates = Array.from({ length: 8 }, () => randomBytes(60));
      const answers = await Promise.all(candidates.map((key) => store.putIfAbsent('racer', key)));
      const kept = answers[0];
      expect(kept?.state).toBe('active');
      for (const answer of answers) expect(answer).toEqual(kept);
      expect((await store.getMany(['racer'])).get('racer')).toEqual(kept);
    });
  });
}
