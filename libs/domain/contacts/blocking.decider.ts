import { assertNever, DomainError, forbidden } from '../errors';
import type { BlockEvent } from '../events';
import { evolveBlocks, initialBlocksState, type BlocksState } from './blocks.decider';

/**
 * What blocking forbids on the messaging paths (promise 7: a blocked user
 * cannot message). The facts are the block lists of the users a decision
 * involves, folded from their `blocks-<userId>` streams by the caller; the
 * decision itself reads nothing.
 */
export type BlockFacts = ReadonlyMap<string, BlocksState>;

export const noBlockFacts: BlockFacts = new Map();

export type BlockingCheck =
  /** May `actor` open the direct room of `actor` and `other`? */
  | { readonly type: 'OpenDirectRoom'; readonly actor: string; readonly other: string }
  /** May `actor` post in their direct room with `other`? */
  | { readonly type: 'PostInDirectRoom'; readonly actor: string; readonly other: string }
  /** May `actor` put `userIds` in a room? `field` names the request field refused. */
  | { readonly type: 'AddToRoom'; readonly actor: string; readonly userIds: readonly string[]; readonly field: string };

/** The block lists of several users, one event at a time (each event names its owner). */
export function evolveBlockFacts(facts: BlockFacts, event: BlockEvent): BlockFacts {
  const next = new Map(facts);
  next.set(event.data.userId, evolveBlocks(facts.get(event.data.userId) ?? initialBlocksState, event));
  return next;
}

const blocks = (facts: BlockFacts, userId: string, otherId: string): boolean => facts.get(userId)?.blocked.has(otherId) ?? false;

export const blockRefusals = {
  directRoom: () => forbidden('CONTACT.BLOCKED_DIRECT_ROOM', 'This user has blocked you: you cannot open a direct room with them'),
  post: () => forbidden('CONTACT.BLOCKED_POST', 'This user has blocked you: you cannot post in your direct room with them'),
  addMember: (userIds: readonly string[], field: string) =>
    new DomainError(
      'CONTACT.BLOCKED_ADD_MEMBER',
      'forbidden',
      `${userIds.length === 1 ? 'A user has' : `${userIds.length} users have`} blocked you: you cannot add them to a room`,
      userIds.map((id) => ({ field, reason: `${id} has blocked you` })),
    ),
  youBlocked: () => forbidden('CONTACT.YOU_BLOCKED', 'You have blocked this user: unblock them to message them'),
};

/**
 * Answers no events: a check passes or throws the refusal. A direct room is
 * closed both ways while either blocks the other (the blocked cannot reach
 * the blocker; the blocker unblocks before writing, so the other could not
 * answer anyway). Nobody is put in a room by someone they block; the blocker
 * may still add whom they blocked.
 */
export function decideBlocking(check: BlockingCheck, facts: BlockFacts): readonly BlockEvent[] {
  switch (check.type) {
    case 'OpenDirectRoom':
    case 'PostInDirectRoom':
      if (blocks(facts, check.other, check.actor)) {
        throw check.type === 'OpenDirectRoom' ? blockRefusals.directRoom() : blockRefusals.post();
      }
      if (blocks(facts, check.actor, check.other)) throw blockRefusals.youBlocked();
      return [];
    case 'AddToRoom': {
      const refusing = check.userIds.filter((userId) => userId !== check.actor && blocks(facts, userId, check.actor));
      if (refusing.length > 0) throw blockRefusals.addMember(refusing, check.field);
      return [];
    }
    default:
      return assertNever(check, 'blocking check');
  }
}
