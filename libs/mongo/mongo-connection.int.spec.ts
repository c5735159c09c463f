import { GridFsBlobStore } from '../blob-store/gridfs-blob-store';
import { GridFsJobFileStore } from '../blob-store/gridfs-job-file-store';
import { StoreUnavailableError } from '../config/store-connection';
import { MongoKeyStore } from '../personal-data/mongo-key-store';
import { MongoReadStore } from '../read-store/mongo-read-store';

/*
 * Every MongoDB user against a closed port (nothing listens on 127.0.0.1:1;
 * no server needed): a call fails with the store named instead of waiting out
 * the driver's 30 s server selection, and while the monitor knows the store
 * is down the next call is refused at once. The deadline is short (300 ms),
 * and jest's own timeout is far below the driver's defaults.
 */
const url = 'mongodb://parley:secret@127.0.0.1:1/parley';
const shown = 'mongodb://parley:***@127.0.0.1:1/parley';
const deadlineMs = 300;

const cases: readonly [string, () => { call: () => Promise<unknown>; close: () => Promise<void> }][] = [
  ['MongoDB', () => {
    const store = new MongoReadStore({ url, deadlineMs });
    return { call: () => store.get('rooms', 'r1'), close: () => store.close() };
  }],
  ['MongoDB (personal-data keys)', () => {
    const store = new MongoKeyStore({ url, deadlineMs });
    return { call: () => store.getMany(['u1']), close: () => store.close() };
  }],
  ['MongoDB (media)', () => {
    const store = new GridFsBlobStore({ url, deadlineMs });
    return { call: () => store.stat('a'.repeat(64)), close: () => store.close() };
  }],
  ['MongoDB (job files)', () => {
    const store = new GridFsJobFileStore({ url, deadlineMs });
    return { call: () => store.stat('exports/e1.json'), close: () => store.close() };
  }],
];

describe('MongoDB unreachable', () => {
  it.each(cases)('%s answers STORE.UNAVAILABLE naming itself within its deadline, then refuses at once', async (store, open) => {
    const opened = open();
    try {
      for (let i = 0; i < 2; i++) {
        const error: unknown = await opened.call().catch((rejection: unknown) => rejection);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error).toMatchObject({ store, url: shown });
        expect((error as Error).message).toContain(`${store} at ${shown} is unavailable`);
        expect((error as Error).message).not.toContain('secret');
      }
    } finally {
      await opened.close();
    }
  }, 4000);
});
