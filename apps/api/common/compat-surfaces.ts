import type { ErrorBody } from './error-body';

/**
 * The seeds' wire surfaces mounted under a path prefix (`/vonage`): each
 * registers how its errors look on the wire and where its paths start, so
 * the one exception filter answers in the surface's own error body and an
 * application token's `acl` is matched against the surface's own paths.
 */
export interface CompatSurface {
  /** Starts with `/`, no trailing slash. */
  readonly prefix: string;
  /** The surface's error for Parley's: status and body. */
  readonly renderError: (error: ErrorBody, path: string) => { readonly status: number; readonly body: unknown };
  /**
   * Where the surface's paths sit in its tokens' `acl` when that is not the
   * prefix stripped: Nexmo's beta paths (`/beta/users`) are named
   * `/v1/users/**` in the seed's tokens.
   */
  readonly aclPrefix?: string;
}

const surfaces: CompatSurface[] = [];

export function registerCompatSurface(surface: CompatSurface): void {
  if (!surfaces.some((s) => s.prefix === surface.prefix)) surfaces.push(surface);
}

const pathOf = (url: string): string => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

export function surfaceOf(url: string): CompatSurface | null {
  const path = pathOf(url);
  return surfaces.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`)) ?? null;
}

/** The path as an application token's `acl` names it: without the query and without a surface's prefix. */
export function aclPathOf(url: string): string {
  const path = pathOf(url);
  const surface = surfaceOf(path);
  if (!surface) return path;
  const rest = path.slice(surface.prefix.length);
  return `${surface.aclPrefix ?? ''}${rest}` || '/';
}
