import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

/*
 * The production profile's configuration as docker-compose.yml hands it over:
 * a secret missing from the operator's .env arrives as an empty string.
 */
describe('production configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-production-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const production = {
    DATA_DIR: dir,
    EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false',
    READ_STORE_URL: 'mongodb://parley:pw@mongo:27017/parley?replicaSet=rs0&authSource=admin',
    JWT_SECRET: 'x'.repeat(48),
    PERSONAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  const refusal = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('the configuration was accepted');
  };

  it('refuses an empty JWT_SECRET (compose without .env) instead of falling back', () => {
    const error = refusal({ ...production, JWT_SECRET: '' });
    expect(error.variable).toBe('JWT_SECRET');
    expect(error.message).toMatch(/required when the stores are not embedded/);
  });

  it('refuses an empty PERSONAL_DATA_KEY (compose without .env) instead of falling back', () => {
    const error = refusal({ ...production, PERSONAL_DATA_KEY: '' });
    expect(error.variable).toBe('PERSONAL_DATA_KEY');
  });

  it('refuses MongoDB standalone writes unless MONGODB_ALLOW_STANDALONE=true', () => {
    expect(loadConfig(production).mongoAllowStandalone).toBe(false);
    expect(loadConfig({ ...production, MONGODB_ALLOW_STANDALONE: 'false' }).mongoAllowStandalone).toBe(false);
    expect(loadConfig({ ...production, MONGODB_ALLOW_STANDALONE: 'true' }).mongoAllowStandalone).toBe(true);
    const error = refusal({ ...production, MONGODB_ALLOW_STANDALONE: 'yes' });
    expect(error.variable).toBe('MONGODB_ALLOW_STANDALONE');
    expect(error.message).toMatch(/must be one of true, false/);
  });
});
