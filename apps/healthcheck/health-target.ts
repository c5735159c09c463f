/**
 * Which /health the image's HEALTHCHECK asks. One image runs either the API
 * (PORT) or the projector worker (PROJECTOR_PORT); the process that is PID 1
 * in the container says which, so `docker run parley node dist/apps/projector/main.js`
 * is probed on the projector's port without a second image.
 */
export interface HealthTarget {
  readonly url: string;
  readonly process: 'api' | 'projector';
}

/** `cmdline` is /proc/1/cmdline (NUL-separated arguments); `env` the container's environment. */
export function healthTarget(cmdline: string, env: Readonly<Record<string, string | undefined>>): HealthTarget {
  const args = cmdline.split('\0').filter((arg) => arg !== '');
  const projector = args.some((arg) => /(^|\/)apps\/projector\/main(\.js)?$/.test(arg));
  const name = projector ? 'PROJECTOR_PORT' : 'PORT';
  const fallback = projector ? 3001 : 3000;
  const raw = env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be an integer from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  // The servers bind HOST (0.0.0.0 in the image); loopback reaches them from inside the container.
  return { url: `http://127.0.0.1:${port}/health`, process: projector ? 'projector' : 'api' };
}
