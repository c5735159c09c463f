import { positionTextBefore } from './projector';

describe('positionTextBefore', () => {
  it('orders positions as their numbers do, dense and EventStoreDB-packed alike', () => {
    const samples = [0n, 1n, 9n, 10n, 99n, 100n, 123456789n, 2n ** 53n, (5000n << 64n) | 4999n, (5001n << 64n) | 5001n, 2n ** 127n];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 200; i++) samples.push(BigInt(random()) * BigInt(random()) * (i % 3 === 0 ? 2n ** 64n : 1n));
    for (const a of samples) {
      for (const b of samples) {
        expect([a, b, positionTextBefore(a.toString(), b.toString())]).toEqual([a, b, a < b]);
      }
    }
  });
});
