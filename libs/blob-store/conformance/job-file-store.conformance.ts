import type { JobFileStore } from '../job-file-store.port';
import { readJobFile } from '../job-file-store.port';

/** What every job file store promises (disk under DATA_DIR for the embedded profile, GridFS for production). */
export function jobFileStoreConformance(name: string, newPlace: () => () => Promise<JobFileStore>): void {
  describe(`${name} (job file store conformance)`, () => {
    let store: JobFileStore;
    let open: () => Promise<JobFileStore>;
    beforeEach(async () => {
      // Each test writes to a place of its own; `open` opens it again, as another process would.
      open = newPlace();
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps a file written in pieces and gives it back whole, with its size', async () => {
      const writer = await store.create('exports/job-1.json');
      await writer.write('[');
      await writer.write(Buffer.from('\n{"id":"a"}'));
      await writer.write('\n]\n');
      expect(await writer.finish()).toEqual({ name: 'exports/job-1.json', size: 15 });
      expect(await store.stat('exports/job-1.json')).toEqual({ name: 'exports/job-1.json', size: 15 });
      const found = await store.read('exports/job-1.json');
      expect(found?.size).toBe(15);
      found?.stream.destroy();
      expect((await readJobFile(store, 'exports/job-1.json'))?.toString('utf8')).toBe('[\n{"id":"a"}\n]\n');
    });

    it('shows nothing of a file until it is finished, and nothing of an aborted one', async () => {
      const writer = await store.create('exports/unfinished.json');
      await writer.write('half of a file');
      expect(await store.stat('exports/unfinished.json')).toBeNull();
      expect(await store.read('exports/unfinished.json')).toBeNull();
      await writer.abort();
      expect(await store.stat('exports/unfinished.json')).toBeNull();
    });

    it('a rewrite replaces the file whole; the old bytes stay readable until the new ones are finished', async () => {
      await store.put('exports/again.json', Buffer.from('first run'));
      const writer = await store.create('exports/again.json');
      await writer.write('second run, longer');
      expect((await readJobFile(store, 'exports/again.json'))?.toString()).toBe('first run');
      await writer.finish();
      expect((await readJobFile(store, 'exports/again.json'))?.toString()).toBe('second run, longer');
      expect(await store.delete('exports/again.json')).toBe(true);
      expect(await store.stat('exports/again.json')).toBeNull();
    });

    it('holds a file larger than one chunk', async () => {
      const bytes = Buffer.alloc(700_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
      await store.put('imports/large.json', bytes);
      const back = await readJobFile(store, 'imports/large.json');
      expect(back?.length).toBe(bytes.length);
      expect(back?.equals(bytes)).toBe(true);
    });

    it('answers null and false for a file it does not hold, and refuses what is not a job file name', async () => {
      expect(await store.stat('imports/absent.json')).toBeNull();
      expect(await store.read('imports/absent.json')).toBeNull();
      expect(await store.delete('imports/absent.json')).toBe(false);
      await expect(store.stat('../etc/passwd')).rejects.toThrow(/not a job file name/);
      await expect(store.put('exports/../../x', Buffer.from('x'))).rejects.toThrow(/not a job file name/);
      await expect(store.create('exports/a/b.json')).rejects.toThrow(/not a job file name/);
    });

    it('a second store on the same place reads what the first wrote (another API process, or after a restart)', async () => {
      await store.put('exports/shared.json', Buffer.from('served by any process'));
      const other = await open();
      try {
        expect((await readJobFile(other, 'exports/shared.json'))?.toString()).toBe('served by any process');
      } finally {
        await other.close();
      }
    });
  });
}
