import { assertNever, conflict, validationError, type ErrorDetail } from '../errors';
import type { Decider } from '../decider';
import type { BlockEvent, ParleyEvent } from '../events';

/**
 * Whom a user blocks, stream `blocks-<userId>`. The messaging paths ask it
 * (through ContactDirectory) from the log itself, so a block holds from the
 * moment it is acknowledged.
 */
export interface BlocksState {
  /** Blocked user id → when it was blocked, in the order of blocking. */
  readonly blocked: ReadonlyMap<string, string>;
}

export const initialBlocksState: BlocksState = { blocked: new Map() };

export const MAX_BLOCKED = 10_000;

export type BlocksCommand =
  | { readonly type: 'Block'; readonly userId: string; readonly target: string; readonly now: string }
  | { readonly type: 'Unblock'; readonly userId: string; readonly target: string; readonly now: string }
  | {
      readonly type: 'ReplaceBlockList';
      readonly userId: string;
      /** Account ids in the order of the request's `users` (duplicates allowed: they merge). */
      readonly targets: readonly string[];
      readonly now: string;
    };

const BLOCK_EVENTS: ReadonlySet<string> = new Set<BlockEvent['type']>(['ContactBlocked', 'ContactUnblocked', 'BlockListReplaced']);
export const isBlockEvent = (event: ParleyEvent): event is BlockEvent => BLOCK_EVENTS.has(event.type);

export function evolveBlocks(state: BlocksState, event: BlockEvent): BlocksState {
  switch (event.type) {
    case 'ContactBlocked': {
      if (state.blocked.has(event.data.blockedUserId)) return state;
      const blocked = new Map(state.blocked);
      blocked.set(event.data.blockedUserId, event.data.blockedAt);
      return { blocked };
    }
    case 'ContactUnblocked': {
      const blocked = new Map(state.blocked);
      blocked.delete(event.data.blockedUserId);
      return { blocked };
    }
    case 'BlockListReplaced':
      // Users blocked before and still on the list keep their time.
      return {
        blocked: new Map(event.data.blockedUserIds.map((id) => [id, state.blocked.get(id) ?? event.data.replacedAt])),
      };
    default:
      return assertNever(event, 'block event');
  }
}

const blockingSelf = (field: string) =>
  validationError('BLOCK.SELF', 'You cannot block yourself', [{ field, reason: 'is your own account' }]);

export function decideBlocks(command: BlocksCommand, state: BlocksState): BlockEvent[] {
  switch (command.type) {
    case 'Block': {
      if (command.target === command.userId) throw blockingSelf('contactId');
      if (state.blocked.has(command.target)) return [];
      if (state.blocked.size >= MAX_BLOCKED) {
        throw conflict('BLOCK.LIST_FULL', `A block list holds at most ${MAX_BLOCKED} users: unblock some first`);
      }
      return [{ type: 'ContactBlocked', data: { userId: command.userId, blockedUserId: command.target, blockedAt: command.now } }];
    }
    case 'Unblock':
      if (!state.blocked.has(command.target)) return [];
      return [
        { type: 'ContactUnblocked', data: { userId: command.userId, blockedUserId: command.target, unblockedAt: command.now } },
      ];
    case 'ReplaceBlockList':
      return replace(command, state);
    default:
      return assertNever(command, 'blocks command');
  }
}

/** The whole list; the same user twice counts once; the same set again writes nothing. */
function replace(command: Extract<BlocksCommand, { type: 'ReplaceBlockList' }>, state: BlocksState): BlockEvent[] {
  const self: ErrorDetail[] = [];
  command.targets.forEach((target, index) => {
    if (target === command.userId) self.push({ field: `users[${index}]`, reason: 'is your own account' });
  });
  if (self.length > 0) throw validationError('BLOCK.SELF', 'You cannot block yourself', self);
  const targets = [...new Set(command.targets)];
  if (targets.length > MAX_BLOCKED) {
    throw validationError('BLOCK.TOO_MANY', `A block list holds at most ${MAX_BLOCKED} users, got ${targets.length}`, [
      { field: 'users', reason: `must hold at most ${MAX_BLOCKED} users` },
    ]);
  }
  if (targets.length === state.blocked.size && targets.every((id) => state.blocked.has(id))) return [];
  return [{ type: 'BlockListReplaced', data: { userId: command.userId, blockedUserIds: targets, replacedAt: command.now } }];
}

/** One user's block list, stream `blocks-<userId>`. */
export const blocksDecider: Decider<BlocksCommand, BlocksState, BlockEvent> = {
  initialState: initialBlocksState,
  evolve: (state, event) => (isBlockEvent(event) ? evolveBlocks(state, event) : state),
  decide: decideBlocks,
};
