import { MongoStandaloneError, assertCommitFits, commitMode, topologyOf } from './mongo-read-store';
import { CommitTooLargeError } from './read-store.port';

/*
 * Whether the MongoDB read store may write, decided from the server's `hello`
 * answer (shapes as MongoDB 7 sends them) and the operator's opt-in.
 */
const replicaSetMember = { isWritablePrimary: true, setName: 'rs0', hosts: ['mongo:27017'], maxWireVersion: 21, ok: 1 };
const mongos = { isWritablePrimary: true, msg: 'isdbgrid', maxWireVersion: 21, ok: 1 };
const standalone = { isWritablePrimary: true, maxWireVersion: 21, ok: 1 };
const url = 'mongodb://mongo:27017/parley';

describe('MongoDB commit mode from the hello answer', () => {
  it('names the topology: replica set by setName, sharded by msg isdbgrid, else standalone', () => {
    expect(topologyOf(replicaSetMember)).toBe('replica-set');
    expect(topologyOf(mongos)).toBe('sharded');
    expect(topologyOf(standalone)).toBe('standalone');
    // An empty or non-string setName is no replica set.
    expect(topologyOf({ ...standalone, setName: '' })).toBe('standalone');
    expect(topologyOf({ ...standalone, setName: 7 })).toBe('standalone');
  });

  it('commits in a transaction on a replica set member or a mongos, opt-in or not', () => {
    for (const allow of [false, true]) {
      expect(commitMode(replicaSetMember, allow, url)).toBe('transaction');
      expect(commitMode(mongos, allow, url)).toBe('transaction');
    }
  });

  it('refuses a standalone server without the opt-in, saying why and what to do', () => {
    expect(() => commitMode(standalone, false, url)).toThrow(MongoStandaloneError);
    let message = '';
    try {
      commitMode(standalone, false, url);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(url);
    expect(message).toMatch(/no transactions/);
    expect(message).toMatch(/--replSet/);
    expect(message).toContain('MONGODB_ALLOW_STANDALONE=true');
  });

  it('writes without a transaction on a standalone server only with the opt-in', () => {
    expect(commitMode(standalone, true, url)).toBe('no-transaction');
  });
});

describe('MongoDB commit size (one transaction per commit)', () => {
  const limits = { maxOps: 10, maxBytes: 1000 };

  it('lets a commit within the limits through', () => {
    expect(() => assertCommitFits([100, 200], 10, limits)).not.toThrow();
    expect(() => assertCommitFits([], 0, limits)).not.toThrow();
  });

  it('refuses too many writes or too many bytes with CommitTooLargeError, which the projector splits on', () => {
    expect(() => assertCommitFits([1], 11, limits)).toThrow(CommitTooLargeError);
    expect(() => assertCommitFits([1], 11, limits)).toThrow(/more than 10 writes/);
    expect(() => assertCommitFits([600, 401], 2, limits)).toThrow(/more than 1000 bytes/);
  });

  it('names a document beyond MongoDB 16 MiB document limit, whatever the commit limits', () => {
    expect(() => assertCommitFits([16 * 1024 * 1024 + 1], 1, { maxOps: 10, maxBytes: Number.MAX_SAFE_INTEGER })).toThrow(
      /16 MiB document limit/,
    );
  });
});
