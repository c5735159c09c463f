import { healthTarget } from './health-target';

const cmd = (...args: string[]) => args.join('\0') + '\0';

describe('healthTarget (the image HEALTHCHECK)', () => {
  it('probes the API on PORT when PID 1 runs the API', () => {
    expect(healthTarget(cmd('node', 'dist/apps/api/main.js'), { PORT: '3000', PROJECTOR_PORT: '3001' })).toEqual({
      url: 'http://127.0.0.1:3000/health',
      process: 'api',
    });
  });

  it('probes the projector on PROJECTOR_PORT when PID 1 runs the projector worker', () => {
    expect(healthTarget(cmd('node', '/app/dist/apps/projector/main.js'), { PORT: '3000', PROJECTOR_PORT: '4001' })).toEqual({
      url: 'http://127.0.0.1:4001/health',
      process: 'projector',
    });
  });

  it('falls back to the defaults the apps use when the variables are unset', () => {
    expect(healthTarget(cmd('node', 'dist/apps/api/main.js'), {}).url).toBe('http://127.0.0.1:3000/health');
    expect(healthTarget(cmd('node', 'dist/apps/projector/main.js'), {}).url).toBe('http://127.0.0.1:3001/health');
  });

  it('names the variable when the port is not a port', () => {
    expect(() => healthTarget(cmd('node', 'dist/apps/api/main.js'), { PORT: 'abc' })).toThrow(/PORT must be an integer/);
    expect(() => healthTarget(cmd('node', 'dist/apps/projector/main.js'), { PROJECTOR_PORT: '0' })).toThrow(
      /PROJECTOR_PORT must be an integer/,
    );
  });
});
