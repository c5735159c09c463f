/** Who acts and on behalf of which request; lands in every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set by a Qiscus import job: its id, recorded in every event the import writes. */
  readonly importId?: string;
  /**
   * A server acting for `actor` (an API key with `act:users`, or a seed
   * surface's server secret): events record it as `metadata.actor` and the
   * user as `metadata.subject`, while deciders see `actor`, the user.
   */
  readonly actingKey?: string;
  /** The client's address as the HTTP server sees it; for limits, never written to the log. */
  readonly clientAddress?: string;
  /**
   * The request's User-Agent: a sign-in records it so its user can tell their
   * sessions apart. Never written to event metadata.
   */
  readonly client?: string;
}
