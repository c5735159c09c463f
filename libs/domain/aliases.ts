/**
 * Integer ids for rooms and comments (Qiscus' clients sort and de-duplicate
 * comments by a number and require digits in room ids). A room's alias is
 * the log position of its `RoomCreated`, a comment's that of its
 * `CommentPosted`: assigned by the log itself, increasing across the whole
 * installation, free (no counter stream, still one append per command), and
 * kept by export, import and rebuild, which keep positions. EventStoreDB packs
 * `commit << 64 | prepare`; the prepare part alone is unique per event and
 * ordered like the log (decision 0026-integer-aliases).
 */
export function aliasOf(position: bigint): number {
  return Number(position & 0xffff_ffff_ffff_ffffn);
}

/**
 * The metadata key under which a move of the log to a store with positions
 * of its own (libs/streaming/log-migration.ts) keeps each event's alias from
 * the log it was first written to, so Qiscus room, comment and user ids
 * survive the move (decision 0050-aliases-survive-a-move).
 */
export const KEPT_ALIAS = 'alias';

/** An event's alias: the one it kept across a move, else that of its position in this log. */
export function aliasOfEvent(event: { readonly position: bigint; readonly metadata?: Readonly<Record<string, unknown>> }): number {
  const kept = event.metadata?.[KEPT_ALIAS];
  return typeof kept === 'number' && Number.isSafeInteger(kept) && kept > 0 ? kept : aliasOf(event.position);
}

/**
 * The position an alias was taken from, for waiting on the read models: the
 * alias itself where positions are plain numbers; where the log packs them
 * (EventStoreDB, `memory:packed`) the pair an append answers, (p, p) packed.
 * Waiting on the bare alias there would wait for nothing.
 */
export function positionOfAlias(alias: bigint, packed: boolean): bigint {
  return packed && alias > 0n ? (alias << 64n) | alias : alias;
}

/** An alias as clients send it (a number or its digits); null when it cannot be one. */
export function parseAlias(input: unknown): number | null {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  if (!/^[1-9]\d{0,15}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
