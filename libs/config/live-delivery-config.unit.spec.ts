import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration of the admin API and webhook delivery', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dir, ...env });

  it('leaves the admin API off by default, with delivery defaults of 1 s and 8 attempts', () => {
    const config = load({});
    expect(config.adminApiKey).toBeNull();
    expect(config.webhookRetryBaseMs).toBe(1000);
    expect(config.webhookMaxAttempts).toBe(8);
  });

  it('takes an admin key of at least 32 printable characters', () => {
    expect(load({ ADMIN_API_KEY: 'k'.repeat(32) }).adminApiKey).toBe('k'.repeat(32));
  });

  it.each([
    ['ADMIN_API_KEY', 'short'],
    ['ADMIN_API_KEY', `${'k'.repeat(32)} with spaces`],
    ['WEBHOOK_RETRY_BASE_MS', '0'],
    ['WEBHOOK_RETRY_BASE_MS', 'soon'],
    ['WEBHOOK_MAX_ATTEMPTS', '0'],
    ['WEBHOOK_MAX_ATTEMPTS', '1000'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    let error: unknown;
    try {
      load({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });
});
