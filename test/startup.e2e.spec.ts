import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('start-up configuration', () => {
  it('stops with a message naming the bad variable and a non-zero exit code', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', join(__dirname, 'support', 'ts-register.js'), join(root, 'apps', 'api', 'main.ts')],
      { cwd: root, env: { ...process.env, PORT: 'eighty', DATA_DIR: join(root, '.tmp', 'unused') }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('whole number');
    expect(run.stderr).not.toContain('    at ');
  });
});
