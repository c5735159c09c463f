/** Metadata key of the scopes a route needs (see `@RequireScopes`). */
export const REQUIRED_SCOPES = 'parley:required-scopes';
