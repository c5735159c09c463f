import type { BlockEvent } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { decideBlocking, evolveBlockFacts, noBlockFacts, type BlockFacts, type BlockingCheck } from './blocking.decider';

const { given } = deciderSpec<BlockingCheck, BlockEvent, BlockFacts>({
  initialState: noBlockFacts,
  evolve: evolveBlockFacts,
  decide: decideBlocking,
});

const ANN = 'u-ann';
const BOB = 'u-bob';
const CAROL = 'u-carol';
const T0 = '2024-05-01T10:00:00.000Z';

const blocks = (userId: string, blockedUserId: string): BlockEvent => ({
  type: 'ContactBlocked',
  data: { userId, blockedUserId, blockedAt: T0 },
});
const unblocks = (userId: string, blockedUserId: string): BlockEvent => ({
  type: 'ContactUnblocked',
  data: { userId, blockedUserId, unblockedAt: T0 },
});
const replaces = (userId: string, blockedUserIds: string[]): BlockEvent => ({
  type: 'BlockListReplaced',
  data: { userId, blockedUserIds, replacedAt: T0 },
});

describe('blocking decider', () => {
  describe('may A post to B’s direct room', () => {
    const post: BlockingCheck = { type: 'PostInDirectRoom', actor: ANN, other: BOB };

    it('lets A post when neither blocks the other', () => {
      given([]).when(post).then([]);
      given([blocks(BOB, CAROL), blocks(CAROL, ANN)]).when(post).then([]);
    });

    it('refuses A when B blocks A', () => {
      given([blocks(BOB, ANN)]).when(post).thenThrows('CONTACT.BLOCKED_POST', 'forbidden');
    });

    it('refuses A when A blocks B: A unblocks first', () => {
      given([blocks(ANN, BOB)]).when(post).thenThrows('CONTACT.YOU_BLOCKED', 'forbidden');
    });

    it('names the blocker’s refusal first when both block', () => {
      given([blocks(ANN, BOB), blocks(BOB, ANN)]).when(post).thenThrows('CONTACT.BLOCKED_POST', 'forbidden');
    });

    it('lets A post again once B unblocks, or replaces the list without A', () => {
      given([blocks(BOB, ANN), unblocks(BOB, ANN)]).when(post).then([]);
      given([blocks(BOB, ANN), replaces(BOB, [CAROL])]).when(post).then([]);
      given([replaces(BOB, [CAROL, ANN])]).when(post).thenThrows('CONTACT.BLOCKED_POST', 'forbidden');
    });
  });

  describe('may A open a direct room with B', () => {
    const open: BlockingCheck = { type: 'OpenDirectRoom', actor: ANN, other: BOB };

    it('opens when neither blocks the other', () => {
      given([]).when(open).then([]);
    });

    it('refuses when B blocks A, and when A blocks B', () => {
      given([blocks(BOB, ANN)]).when(open).thenThrows('CONTACT.BLOCKED_DIRECT_ROOM', 'forbidden');
      given([blocks(ANN, BOB)]).when(open).thenThrows('CONTACT.YOU_BLOCKED', 'forbidden');
    });
  });

  describe('may A add B to a room', () => {
    const add = (userIds: string[]): BlockingCheck => ({ type: 'AddToRoom', actor: ANN, userIds, field: 'userIds' });

    it('adds users who do not block A', () => {
      given([blocks(BOB, CAROL)]).when(add([BOB, CAROL])).then([]);
    });

    it('lets A add a user A blocks', () => {
      given([blocks(ANN, BOB)]).when(add([BOB])).then([]);
    });

    it('refuses every user who blocks A, each named under the field', () => {
      const error = given([blocks(BOB, ANN), blocks(CAROL, ANN)])
        .when({ type: 'AddToRoom', actor: ANN, userIds: [BOB, CAROL], field: 'participants' })
        .thenThrows('CONTACT.BLOCKED_ADD_MEMBER', 'forbidden');
      expect(error.details).toEqual([
        { field: 'participants', reason: `${BOB} has blocked you` },
        { field: 'participants', reason: `${CAROL} has blocked you` },
      ]);
      expect(error.message).toBe('2 users have blocked you: you cannot add them to a room');
    });

    it('ignores A among the users (A cannot block A into a refusal)', () => {
      given([]).when(add([ANN])).then([]);
    });
  });
});
