import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmailAccounts } from '../apps/api/users/email-accounts';
import { EVENT_STORE } from '../apps/api/infrastructure/tokens';
import type { CommandContext } from '../libs/command-pipeline/command-context';
import { CommandPipeline } from '../libs/command-pipeline/command-pipeline';
import { idFromKey } from '../libs/domain/ids';
import { streams } from '../libs/domain/streams';
import { emailClaimDecider } from '../libs/domain/users/email-claim.decider';
import { usernameClaimDecider } from '../libs/domain/users/username-claim.decider';
import type { EventStore } from '../libs/event-store/event-store.port';
import { ParleyHarness } from './support/parley-app';

const SECRET = 'qiscus-secret-0123456789abcdef';

/**
 * Qiscus' email accounts through the one write path: the address claimed in
 * `email-<key>`, the account's handle in `username-<handle>`, the account
 * with its address in `user-<id>`, each its own command and append.
 */
describe('email accounts (Qiscus identities) on the one write path', () => {
  let parley: ParleyHarness;
  let counter = 0;
  const unique = (name: string) => `${name}.${Date.now().toString(36)}${++counter}@example.com`;
  const loginOrRegister = (email: string, username: string) =>
    parley.http().post('/api/v2/rest/login_or_register').set('QISCUS_SDK_SECRET', SECRET).send({ email, username });
  const system: CommandContext = { actor: 'system:test', correlationId: 'email-accounts-e2e', causationId: 'email-accounts-e2e' };
  /** The email account's id and handle, as a registration of the address derives them. */
  const identity = (email: string) => {
    const emailKey = parley.app.get(EmailAccounts).keyOf(email);
    const userId = idFromKey('email-account', emailKey);
    return { emailKey, userId, username: `e.${userId.replace(/-/g, '').slice(0, 24)}` };
  };
  const types = async (streamId: string) => (await parley.app.get<symbol, EventStore>(EVENT_STORE).readStream(streamId)).map((e) => e.type);
  const head = async () => (await parley.http().get('/health')).body.eventStore.head as string | null;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ QISCUS_APP_ID: 'parley-test', QISCUS_SDK_SECRET: SECRET });
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('racing registrations of one address in other letters make one account, each stream written once', async () => {
    const email = unique('race');
    const spellings = [email, email.toUpperCase(), `  ${email} `, email.replace(/^r/, 'R'), email, email.toUpperCase()];
    const answers = await Promise.all(spellings.map((spelling) => loginOrRegister(spelling, 'Racer')));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(new Set(answers.map((answer) => answer.body.results.user.id)).size).toBe(1);
    const { emailKey, userId, username } = identity(email);
    expect(await types(streams.email(emailKey))).toEqual(['EmailClaimed']);
    expect(await types(streams.username(username))).toEqual(['UsernameClaimed']);
    expect(await types(streams.user(userId))).toEqual(['UserRegistered', 'EmailChanged']);
  });

  it('a registration cut off between its appends is completed by the next one for the address', async () => {
    const email = unique('crash');
    const { emailKey, userId, username } = identity(email);
    const pipeline = parley.app.get(CommandPipeline);
    // What a registration that died after its first two commands left in the log.
    await pipeline.handle(emailClaimDecider, streams.email(emailKey), { type: 'ClaimEmail', emailKey, userId }, system);
    await pipeline.handle(usernameClaimDecider, streams.username(username), { type: 'ClaimUsername', username, userId, now: new Date().toISOString() }, system);
    expect(await parley.app.get(EmailAccounts).find(email)).toBeNull();

    const res = await loginOrRegister(email.toUpperCase(), 'Survivor').expect(200);
    expect(res.body.results.user).toMatchObject({ email, username: 'Survivor' });
    expect((await parley.app.get(EmailAccounts).find(email))?.userId).toBe(userId);
    expect(await types(streams.email(emailKey))).toEqual(['EmailClaimed']);
    expect(await types(streams.username(username))).toEqual(['UsernameClaimed']);
    expect(await types(streams.user(userId))).toEqual(['UserRegistered', 'EmailChanged']);
  });

  it('an address another account holds: 409 USER.EMAIL_TAKEN, nothing written', async () => {
    const email = unique('taken');
    const { emailKey } = identity(email);
    await parley.app.get(CommandPipeline).handle(emailClaimDecider, streams.email(emailKey), { type: 'ClaimEmail', emailKey, userId: 'someone-else' }, system);
    const before = await head();
    const res = await loginOrRegister(email, 'Taken').expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, code: 'USER.EMAIL_TAKEN' });
    expect(await head()).toBe(before);
  });

  it('keeps the address sealed in the log', async () => {
    const email = unique('sealed');
    await loginOrRegister(email, 'Sealed').expect(200);
    const log = ['events.db', 'events.db-wal']
      .map((file) => {
        try {
          return readFileSync(join(parley.dataDir, file)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(log).toContain('EmailChanged');
    expect(log).not.toContain(email);
  });
});
