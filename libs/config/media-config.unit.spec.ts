import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration of media', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dir, ...env });
  const refusal = (env: Record<string, string>): string => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.variable;
      throw error;
    }
    throw new Error('accepted');
  };

  it('keeps blobs under DATA_DIR/media, uploads up to 25 MiB, images up to 40 million pixels, by default', () => {
    const config = load({});
    expect(config.blobStore).toEqual({ kind: 'disk', dir: join(dir, 'media') });
    expect(config.media.maxBytes).toBe(25 * 1024 * 1024);
    expect(config.media.maxPixels).toBe(40_000_000);
    expect(config.media.allowedTypes).toContain('image/jpeg');
    expect(config.media.allowedTypes).not.toContain('application/octet-stream');
  });

  it('keeps blobs in GridFS beside a MongoDB read store, or where BLOB_STORE_URL says', () => {
    expect(load({ READ_STORE_URL: 'mongodb://db:27017/parley', EVENT_STORE_URL: 'esdb://es:2113?tls=false', JWT_SECRET: 'x'.repeat(32), PERSONAL_DATA_KEY: Buffer.alloc(32, 1).toString('base64') }).blobStore).toEqual({
      kind: 'gridfs',
      url: 'mongodb://db:27017/parley',
    });
    expect(load({ BLOB_STORE_URL: `file:${join(dir, 'blobs')}` }).blobStore).toEqual({ kind: 'disk', dir: join(dir, 'blobs') });
  });

  it('names the variable of a bad value', () => {
    expect(refusal({ BLOB_STORE_URL: 's3://bucket' })).toBe('BLOB_STORE_URL');
    expect(refusal({ MEDIA_MAX_BYTES: 'lots' })).toBe('MEDIA_MAX_BYTES');
    expect(refusal({ MEDIA_MAX_PIXELS: '0' })).toBe('MEDIA_MAX_PIXELS');
    expect(refusal({ MEDIA_ALLOWED_TYPES: 'image/png,application/x-msdownload' })).toBe('MEDIA_ALLOWED_TYPES');
  });

  it('takes a list of allowed types', () => {
    expect(load({ MEDIA_ALLOWED_TYPES: 'image/png, text/plain' }).media.allowedTypes).toEqual(['image/png', 'text/plain']);
  });
});
