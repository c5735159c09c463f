import type { DomainError } from '../errors';
import type { PhoneClaimed, UserEvent, UserRemoved, VerificationCodeFailed, VerificationCodeIssued } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import {
  checkCodeRate,
  checkAccountSelection,
  decideCreatePhoneAccount,
  phoneAccountDecider,
  phoneAccountId,
  wrongCodeRefusal,
  decideRequestCode,
  decideVerifyCode,
  type CodePolicy,
  type CreatePhoneAccount,
  type RequestCode,
  type VerifyCode,
} from './phone-account.decider';
import { evolveUser, initialUserState, type UserState } from './user.decider';

/**
 * The handlers' path: the number's accounts form a chain of derived ids
 * (`phoneAccountId`), starting at a legacy `PhoneClaimed` where one exists; a
 * creation goes to the first slot whose account is not removed; code requests
 * and verifications go to the last account the number had.
 */
interface World {
  readonly claims: ReadonlyMap<string, PhoneClaimed>;
  readonly users: ReadonlyMap<string, UserState>;
}
type Command = CreatePhoneAccount | (RequestCode & { readonly phoneKey: string }) | (VerifyCode & { readonly phoneKey: string });

function chain(world: World, phoneKey: string): { slot: string; last: UserState } {
  let id = world.claims.get(phoneKey)?.data.userId ?? phoneAccountId(phoneKey, null);
  let last: UserState = initialUserState;
  for (;;) {
    const user = world.users.get(id) ?? initialUserState;
    if (user.status !== 'removed') return { slot: id, last: user.status === 'absent' ? last : user };
    last = user;
    id = phoneAccountId(phoneKey, id);
  }
}
const userOf = (world: World, phoneKey: string): UserState => chain(world, phoneKey).last;

const { given, fold } = deciderSpec<Command, UserEvent, World>({
  initialState: { claims: new Map(), users: new Map() },
  evolve: (world, event) => {
    if (event.type === 'PhoneClaimed') return { ...world, claims: new Map(world.claims).set(event.data.phoneKey, event) };
    const user = world.users.get(event.data.userId) ?? initialUserState;
    return { ...world, users: new Map(world.users).set(event.data.userId, evolveUser(user, event)) };
  },
  decide: (command, world) => {
    switch (command.type) {
      case 'CreatePhoneAccount': {
        const slot = chain(world, command.phoneKey).slot;
        return decideCreatePhoneAccount({ ...command, userId: slot }, world.users.get(slot) ?? initialUserState);
      }
      case 'RequestCode':
        return decideRequestCode(command, userOf(world, command.phoneKey));
      case 'VerifyCode': {
        const decision = decideVerifyCode(command, userOf(world, command.phoneKey));
        if (decision.refusal && decision.events.length === 0) throw decision.refusal;
        return decision.events;
      }
    }
  },
});

const T0 = '2024-05-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const POLICY: CodePolicy = { ttlSeconds: 600, maxAttempts: 3, minIntervalSeconds: 30, perHour: 5 };
const KEY = 'pk-alice';
const hash = (codeId: string, code: string) => `h(${codeId}:${code})`;

const create = (command: Partial<CreatePhoneAccount> = {}): CreatePhoneAccount => ({
  type: 'CreatePhoneAccount',
  userId: 'u-ignored',
  loginId: null,
  phoneKey: KEY,
  phone: '+15551234567',
  displayName: 'Alice',
  newCode: { codeId: 'c1', code: '123456', channel: 'sms' },
  hash,
  policy: POLICY,
  now: T0,
  ...command,
});
const request = (codeId: string, seconds: number, channel: 'sms' | 'voice' = 'sms'): RequestCode & { phoneKey: string } => ({
  type: 'RequestCode',
  phoneKey: KEY,
  newCode: { codeId, code: '654321', channel },
  hash,
  policy: POLICY,
  now: at(seconds),
});
const verify = (code: string, seconds: number): VerifyCode & { phoneKey: string } => ({
  type: 'VerifyCode',
  phoneKey: KEY,
  code,
  hash,
  policy: POLICY,
  now: at(seconds),
});

const claimed = (userId = 'u1'): PhoneClaimed => ({ type: 'PhoneClaimed', data: { phoneKey: KEY, userId } });
const created = (userId = 'u1', loginId: string | null = null): UserEvent => ({
  type: 'PhoneAccountCreated',
  data: { userId, phoneKey: KEY, phone: '+15551234567', displayName: 'Alice', createdAt: T0, loginId },
});
const FIRST = phoneAccountId(KEY, null);
const issued = (codeId: string, seconds: number, code = '123456', userId = 'u1'): VerificationCodeIssued => ({
  type: 'VerificationCodeIssued',
  data: {
    userId,
    codeId,
    channel: 'sms',
    codeHash: hash(codeId, code),
    expiresAt: at(seconds + POLICY.ttlSeconds),
    issuedAt: at(seconds),
  },
});
const failed = (codeId: string, attempt: number, seconds: number): VerificationCodeFailed => ({
  type: 'VerificationCodeFailed',
  data: { userId: 'u1', codeId, attempt, failedAt: at(seconds) },
});
const verified = (codeId: string, seconds: number): UserEvent => ({
  type: 'PhoneVerified',
  data: { userId: 'u1', codeId, verifiedAt: at(seconds) },
});
const removedAccount: UserRemoved = {
  type: 'UserRemoved',
  data: { userId: 'u1', reason: 'self', feedback: null, removedBy: 'u1', removedAt: at(50) },
};
const pendingAccount = [claimed(), created(), issued('c1', 0)];
const verifiedAccount = [...pendingAccount, verified('c1', 10)];

/** The refusal that comes with a verification's events (a wrong code is written, then refused). */
function verifyRefusal(history: readonly UserEvent[], command: VerifyCode & { phoneKey: string }): DomainError | null {
  return decideVerifyCode(command, userOf(fold(history), command.phoneKey)).refusal;
}

describe('phone account decider', () => {
  describe('creation', () => {
    it("creates a pending account at the id derived from the number's key, with a code holding only its hash (one stream, no claim)", () => {
      given([])
        .when(create())
        .then([
          {
            type: 'PhoneAccountCreated',
            data: { userId: FIRST, phoneKey: KEY, phone: '+15551234567', displayName: 'Alice', createdAt: T0, loginId: null },
          },
          {
            type: 'VerificationCodeIssued',
            data: { userId: FIRST, codeId: 'c1', channel: 'sms', codeHash: 'h(c1:123456)', expiresAt: at(600), issuedAt: T0 },
          },
        ]);
      expect(FIRST).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(phoneAccountId('pk-other', null)).not.toBe(FIRST);
    });

    it('records the login that adds the number', () => {
      given([])
        .when(create({ loginId: 'login-1' }))
        .then([
          { ...created(FIRST, 'login-1') },
          { ...issued('c1', 0, '123456', FIRST) },
        ]);
      expect(fold([created(FIRST, 'login-1')]).users.get(FIRST)).toMatchObject({ status: 'pending', loginId: 'login-1' });
    });

    it('sends the same login a new code for its pending number, and refuses the number to another login', () => {
      const pendingForLogin = [created(FIRST, 'login-1'), issued('c1', 0, '123456', FIRST)];
      given(pendingForLogin)
        .when(create({ loginId: 'login-1', newCode: { codeId: 'c2', code: '111111', channel: 'sms' }, now: at(31) }))
        .then([issued('c2', 31, '111111', FIRST)]);
      given(pendingForLogin).when(create({ loginId: 'login-2', now: at(31) })).thenThrows('ACCOUNT.PHONE_TAKEN', 'conflict');
      given(pendingForLogin).when(create({ loginId: null, now: at(31) })).thenThrows('ACCOUNT.PHONE_TAKEN', 'conflict');
    });

    it('folds to a pending account with the code waiting', () => {
      const user = fold([created('u-new'), issued('c1', 0, '123456', 'u-new')]).users.get('u-new');
      expect(user).toMatchObject({ status: 'pending', phoneKey: KEY, code: { codeId: 'c1', failures: 0 }, codesIssuedAt: [T0] });
    });

    it('sends a new code to a pending account instead of a second account, keeping the first nickname', () => {
      given(pendingAccount)
        .when(create({ userId: 'u-other', displayName: 'Mallory', newCode: { codeId: 'c2', code: '111111', channel: 'sms' }, now: at(31) }))
        .then([issued('c2', 31, '111111')]);
    });

    it('applies the request limits to that new code', () => {
      const error = given(pendingAccount).when(create({ userId: 'u-other', now: at(12) })).thenThrows('ACCOUNT.CODE_RATE_LIMITED', 'rate_limited');
      expect(error.retryAfterSeconds).toBe(18);
    });

    it('completes a legacy claim whose account stream was never written', () => {
      given([claimed('u-orphan')])
        .when(create())
        .then([
          { ...created('u-orphan') },
          { ...issued('c1', 0, '123456', 'u-orphan') },
        ]);
    });

    it('refuses a number that belongs to a verified account', () => {
      given(verifiedAccount).when(create({ now: at(100) })).thenThrows('ACCOUNT.PHONE_TAKEN', 'conflict');
    });

    it('gives the number of a removed account to a new account, at the id derived from the removed one', () => {
      const next = phoneAccountId(KEY, 'u1');
      expect(next).not.toBe(FIRST);
      given([...verifiedAccount, removedAccount])
        .when(create({ now: at(100) }))
        .then([
          { ...created(next), data: { ...created(next).data, createdAt: at(100) } } as UserEvent,
          { ...issued('c1', 100, '123456', next) },
        ]);
    });
  });

  describe('requesting a code', () => {
    it('issues a code for a pending account, by voice if asked', () => {
      given(pendingAccount)
        .when(request('c2', 30, 'voice'))
        .then([{ ...issued('c2', 30, '654321'), data: { ...issued('c2', 30, '654321').data, channel: 'voice' } }]);
    });

    it('issues a code for a verified account: that is how a phone account signs in', () => {
      given(verifiedAccount).when(request('c2', 40)).then([issued('c2', 40, '654321')]);
    });

    it('refuses an unknown number and a removed account', () => {
      given([]).when(request('c2', 40)).thenThrows('ACCOUNT.NOT_FOUND', 'not_found');
      given([...verifiedAccount, removedAccount]).when(request('c2', 100)).thenThrows('ACCOUNT.REMOVED', 'not_found');
    });

    it('keeps the shortest interval, with the exact wait in Retry-After', () => {
      const early = given(pendingAccount).when(request('c2', 0.5)).thenThrows('ACCOUNT.CODE_RATE_LIMITED', 'rate_limited');
      expect(early.retryAfterSeconds).toBe(30); // 29.5 s rounds up
      const late = given(pendingAccount).when(request('c2', 29.001)).thenThrows('ACCOUNT.CODE_RATE_LIMITED', 'rate_limited');
      expect(late.retryAfterSeconds).toBe(1);
      given(pendingAccount).when(request('c2', 30)).then([issued('c2', 30, '654321')]);
    });

    it('allows so many codes an hour, then waits until the oldest leaves the hour', () => {
      const five = [...pendingAccount, issued('c2', 100), issued('c3', 200), issued('c4', 300), issued('c5', 400)];
      const error = given(five).when(request('c6', 500)).thenThrows('ACCOUNT.CODE_RATE_LIMITED', 'rate_limited');
      expect(error.retryAfterSeconds).toBe(3600 - 500); // the code of second 0 leaves at 3600
      given(five).when(request('c6', 3600)).then([issued('c6', 3600, '654321')]);
    });

    it('counts the hourly window exactly, for any limit', () => {
      const times = [0, 10, 20, 30].map(at);
      expect(() => checkCodeRate(times, at(40), { ...POLICY, minIntervalSeconds: 0, perHour: 5 })).not.toThrow();
      let error: unknown;
      try {
        checkCodeRate(times, at(40), { ...POLICY, minIntervalSeconds: 0, perHour: 3 });
      } catch (caught) {
        error = caught;
      }
      // Four in the hour, three allowed: two must leave, the second of them (second 10) at 3610.
      expect(error).toMatchObject({ code: 'ACCOUNT.CODE_RATE_LIMITED', retryAfterSeconds: 3610 - 40 });
    });
  });

  describe('verification', () => {
    it('verifies the right code within its lifetime and activates the account', () => {
      given(pendingAccount).when(verify('123456', 599)).then([verified('c1', 599)]);
      const user = fold(verifiedAccount).users.get('u1');
      expect(user).toMatchObject({ status: 'registered', code: null });
    });

    it('signs a verified account in with a fresh code', () => {
      given([...verifiedAccount, issued('c2', 60, '777777')]).when(verify('777777', 70)).then([verified('c2', 70)]);
    });

    it('records a wrong code and refuses it with the attempts left', () => {
      given(pendingAccount).when(verify('000000', 5)).then([failed('c1', 1, 5)]);
      const refusal = verifyRefusal(pendingAccount, verify('000000', 5));
      expect(refusal).toMatchObject({ code: 'ACCOUNT.CODE_INVALID', category: 'unauthenticated' });
      expect(refusal?.message).toBe('Wrong code: 2 attempts left');
      expect(refusal?.details).toEqual([{ field: 'code', reason: 'wrong code; attemptsLeft=2' }]);
    });

    it('voids the code at the last allowed wrong attempt, and refuses even the right code after it', () => {
      const twice = [...pendingAccount, failed('c1', 1, 5), failed('c1', 2, 6)];
      given(twice).when(verify('000000', 7)).then([failed('c1', 3, 7)]);
      expect(verifyRefusal(twice, verify('000000', 7))).toMatchObject({ code: 'ACCOUNT.CODE_ATTEMPTS_EXCEEDED' });
      const thrice = [...twice, failed('c1', 3, 7)];
      given(thrice).when(verify('123456', 8)).thenThrows('ACCOUNT.CODE_ATTEMPTS_EXCEEDED', 'unauthenticated');
      given(thrice).when(verify('000000', 8)).thenThrows('ACCOUNT.CODE_ATTEMPTS_EXCEEDED', 'unauthenticated');
    });

    it('counts attempts per code: a new code starts again', () => {
      const voided = [...pendingAccount, failed('c1', 1, 5), failed('c1', 2, 6), failed('c1', 3, 7), issued('c2', 60, '222222')];
      given(voided).when(verify('000000', 61)).then([failed('c2', 1, 61)]);
      given(voided).when(verify('222222', 62)).then([verified('c2', 62)]);
    });

    it('refuses an expired code, and writes nothing for it', () => {
      given(pendingAccount).when(verify('123456', 600)).thenThrows('ACCOUNT.CODE_EXPIRED', 'unauthenticated');
      given(pendingAccount).when(verify('000000', 9999)).thenThrows('ACCOUNT.CODE_EXPIRED', 'unauthenticated');
    });

    it('only the latest code counts', () => {
      const replaced = [...pendingAccount, issued('c2', 40, '222222')];
      given(replaced).when(verify('123456', 41)).then([{ ...failed('c2', 1, 41) }]);
    });

    it('refuses when no code waits: never requested, already used, unknown number', () => {
      given(verifiedAccount).when(verify('123456', 20)).thenThrows('ACCOUNT.CODE_NOT_REQUESTED', 'unauthenticated');
      given([]).when(verify('123456', 20)).thenThrows('ACCOUNT.CODE_NOT_REQUESTED', 'unauthenticated');
    });

    it('refuses a removed account', () => {
      given([...pendingAccount, removedAccount]).when(verify('123456', 60)).thenThrows('ACCOUNT.REMOVED', 'not_found');
    });
  });

  describe('as the command pipeline runs it', () => {
    const state = (events: readonly UserEvent[]) => events.reduce(phoneAccountDecider.evolve, phoneAccountDecider.initialState);

    it('decides a wrong code as the event to append, and the refusal follows from it', () => {
      const [event] = phoneAccountDecider.decide(verify('000000', 5), state([created(), issued('c1', 0)]));
      expect(event).toEqual(failed('c1', 1, 5));
      expect(wrongCodeRefusal(failed('c1', 1, 5), POLICY)).toMatchObject({ code: 'ACCOUNT.CODE_INVALID', details: [{ field: 'code', reason: 'wrong code; attemptsLeft=2' }] });
      expect(wrongCodeRefusal(failed('c1', 3, 7), POLICY)).toMatchObject({ code: 'ACCOUNT.CODE_ATTEMPTS_EXCEEDED' });
    });

    it('answers a removed account like a number without one when verifying', () => {
      expect(() => phoneAccountDecider.decide(verify('123456', 60), state([created(), issued('c1', 0), removedAccount]))).toThrow(
        expect.objectContaining({ code: 'ACCOUNT.CODE_NOT_REQUESTED' }),
      );
    });
  });

  describe('the account selector', () => {
    const state = (events: readonly UserEvent[]) => events.reduce(phoneAccountDecider.evolve, phoneAccountDecider.initialState);
    const linked = [created('u1', 'login-1'), issued('c1', 0), verified('c1', 10)];

    it("lets a login act as its own verified account", () => {
      expect(() => checkAccountSelection('login-1', state(linked))).not.toThrow();
    });

    it("answers 404 alike for another login's account, a pending one, a removed one and none", () => {
      for (const [login, events] of [
        ['login-2', linked],
        ['login-1', linked.slice(0, 2)],
        ['login-1', [...linked, removedAccount]],
        ['login-1', []],
        ['u1', [created('u1'), issued('c1', 0), verified('c1', 10)]],
      ] as const) {
        expect(() => checkAccountSelection(login, state(events))).toThrow(
          expect.objectContaining({ code: 'ACCOUNT.NOT_FOUND', category: 'not_found', details: [{ field: 'account', reason: 'is not a verified account of this login' }] }),
        );
      }
    });
  });
});
