import { PassThrough } from 'node:stream';
import { StoreUnavailableError } from '../config/store-connection';
import { MongoConnection, isMongoUnavailable, mongoClientOptions } from './mongo-connection';

describe('the MongoDB client factory', () => {
  it('bounds server selection, connecting and waiting for a pooled connection by the deadline (server selection at most 5 s)', () => {
    expect(mongoClientOptions('mongodb://mongo:27017/parley', 'parley', 2000)).toEqual({
      appName: 'parley',
      serverSelectionTimeoutMS: 2000,
      connectTimeoutMS: 2000,
      waitQueueTimeoutMS: 2000,
    });
    expect(mongoClientOptions('mongodb://mongo:27017/parley', 'parley', 30_000)).toMatchObject({ serverSelectionTimeoutMS: 5000, connectTimeoutMS: 30_000 });
  });

  it("leaves a timeout the operator wrote in the URL to the URL", () => {
    const options = mongoClientOptions('mongodb://mongo:27017/parley?serverSelectionTimeoutMS=300&connectTimeoutMS=700', 'parley-media', 2000);
    expect(options).toEqual({ appName: 'parley-media', waitQueueTimeoutMS: 2000 });
  });

  describe('a call', () => {
    let connection: MongoConnection;

    beforeEach(() => {
      connection = new MongoConnection({ url: 'mongodb://127.0.0.1:1/parley', store: 'MongoDB (media)', appName: 'parley-test', deadlineMs: 50 });
    });

    afterEach(async () => {
      await connection.close();
    });

    it('that gets no answer within the deadline fails as the store being unavailable, named, and the next one is refused without being sent', async () => {
      const error: unknown = await connection.guard(() => new Promise<never>(() => undefined)).catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe('MongoDB (media) at mongodb://127.0.0.1:1/parley is unavailable: no answer within 50 ms');
      expect(connection.monitor.status()).toMatchObject({ store: 'MongoDB (media)', state: 'down' });

      const next = jest.fn(() => Promise.resolve('sent'));
      await expect(connection.guard(next)).rejects.toThrow(StoreUnavailableError);
      expect(next).not.toHaveBeenCalled();
    });

    it('that may rightly outlast the deadline (an index build, an upload) is not cut off by it', async () => {
      const slow = new Promise<string>((resolve) => setTimeout(() => resolve('built'), 120));
      await expect(connection.guard(() => slow, { deadline: false })).resolves.toBe('built');
      expect(connection.monitor.status().state).not.toBe('down');
    });

    it("that fails for the server's own reasons (a duplicate key) passes the error on and leaves the store up", async () => {
      const refusal = new Error('E11000 duplicate key');
      await expect(connection.guard(() => Promise.reject(refusal))).rejects.toBe(refusal);
      expect(isMongoUnavailable(refusal)).toBe(false);
      expect(connection.monitor.status().state).not.toBe('down');
    });

    it('a download that stops sending ends as the store being unavailable, named, and the next download is refused without being opened', async () => {
      const stalled = new PassThrough();
      stalled.write(Buffer.from('first chunk'));
      const download = connection.download(() => stalled);
      const chunks: Buffer[] = [];
      const error = await new Promise<unknown>((resolve) => {
        download.on('data', (chunk: Buffer) => chunks.push(chunk));
        download.on('error', resolve);
        download.on('end', () => resolve(null));
      });
      expect(Buffer.concat(chunks).toString()).toBe('first chunk');
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe('MongoDB (media) at mongodb://127.0.0.1:1/parley is unavailable: no data within 50 ms of a download');
      expect(stalled.destroyed).toBe(true);

      const open = jest.fn(() => new PassThrough());
      expect(() => connection.download(open)).toThrow(StoreUnavailableError);
      expect(open).not.toHaveBeenCalled();
    });
  });
});
