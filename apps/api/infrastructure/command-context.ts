/** Who acts and on behalf of which request; lands in every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
}
