/** Who acts and on behalf of which request; lands in every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set by a Qiscus import job: its id, recorded in every event the import writes. */
  readonly importId?: string;
}
