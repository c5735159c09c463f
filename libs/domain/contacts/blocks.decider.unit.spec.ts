import type { BlockEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { decideBlocks, evolveBlocks, initialBlocksState, MAX_BLOCKED, type BlocksCommand, type BlocksState } from './blocks.decider';

const { given, fold } = deciderSpec<BlocksCommand, BlockEvent, BlocksState>({
  initialState: initialBlocksState,
  evolve: evolveBlocks,
  decide: decideBlocks,
});

const ME = 'u-me';
const BOB = 'u-bob';
const CAROL = 'u-carol';
const DAVE = 'u-dave';
const T0 = '2024-05-01T10:00:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';

const blocked = (target: string, at = T0): BlockEvent => ({ type: 'ContactBlocked', data: { userId: ME, blockedUserId: target, blockedAt: at } });
const unblocked = (target: string): BlockEvent => ({ type: 'ContactUnblocked', data: { userId: ME, blockedUserId: target, unblockedAt: T0 } });
const replaced = (ids: string[], at = NOW): BlockEvent => ({ type: 'BlockListReplaced', data: { userId: ME, blockedUserIds: ids, replacedAt: at } });
const replace = (targets: string[]): BlocksCommand => ({ type: 'ReplaceBlockList', userId: ME, targets, now: NOW });

describe('blocks decider', () => {
  it('blocks a user once', () => {
    given([]).when({ type: 'Block', userId: ME, target: BOB, now: NOW }).then([blocked(BOB, NOW)]);
    given([blocked(BOB)]).when({ type: 'Block', userId: ME, target: BOB, now: NOW }).then([]);
  });

  it('refuses blocking oneself', () => {
    given([]).when({ type: 'Block', userId: ME, target: ME, now: NOW }).thenThrows('BLOCK.SELF', 'validation');
  });

  it('refuses a block past the limit', () => {
    const many = replaced(Array.from({ length: MAX_BLOCKED }, (_, i) => `u-${i}`));
    given([many]).when({ type: 'Block', userId: ME, target: BOB, now: NOW }).thenThrows('BLOCK.LIST_FULL', 'conflict');
  });

  it('unblocks a blocked user, and answers nothing for one not blocked', () => {
    given([blocked(BOB)]).when({ type: 'Unblock', userId: ME, target: BOB, now: NOW }).then([
      { type: 'ContactUnblocked', data: { userId: ME, blockedUserId: BOB, unblockedAt: NOW } },
    ]);
    given([blocked(BOB), unblocked(BOB)]).when({ type: 'Unblock', userId: ME, target: BOB, now: NOW }).then([]);
    expect(fold([blocked(BOB), unblocked(BOB)]).blocked.size).toBe(0);
  });

  it('replaces the whole list, merging repeats, keeping earlier block times', () => {
    given([blocked(BOB)]).when(replace([CAROL, DAVE, CAROL])).then([replaced([CAROL, DAVE])]);
    const state = fold([blocked(BOB, T0), blocked(CAROL, T0), replaced([CAROL, DAVE], NOW)]);
    expect([...state.blocked.entries()]).toEqual([
      [CAROL, T0],
      [DAVE, NOW],
    ]);
  });

  it('writes nothing for the same set again, and clears with an empty list', () => {
    given([blocked(BOB), blocked(CAROL)]).when(replace([CAROL, BOB])).then([]);
    given([blocked(BOB)]).when(replace([])).then([replaced([])]);
    given([]).when(replace([])).then([]);
  });

  it('refuses a list naming oneself, by index', () => {
    const error = given([]).when(replace([BOB, ME])).thenThrows('BLOCK.SELF', 'validation');
    expect(error.details).toEqual([{ field: 'users[1]', reason: 'is your own account' }]);
  });

  it('refuses a list past the limit', () => {
    given([]).when(replace(Array.from({ length: MAX_BLOCKED + 1 }, (_, i) => `u-${i}`))).thenThrows('BLOCK.TOO_MANY', 'validation');
  });
});
