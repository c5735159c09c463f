import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ParleyHarness } from './support/parley-app';
import { applicationToken } from './support/application-tokens';

const API_KEY = 'pk_nexmo_client_e2e_0123456789abcdef0123456789abcde';
const run = promisify(execFile);
/** What the client flow printed: parsed JSON, shaped by the Nexmo beta client. */
type ClientResults = ReturnType<typeof JSON.parse>;

/** Runs the Nexmo beta client (`nexmo@2.7.0-beta-1`, unmodified) in a plain Node process against this Parley; answers its results. */
async function nexmoClientFlow(base: string, appId: string, privateKey: string): Promise<{ out: ClientResults; calls: { name: string; ok: boolean }[] }> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'support', 'nexmo-client-flow.js')], {
    env: { ...process.env, PARLEY_URL: base, APP_ID: appId, PRIVATE_KEY: privateKey },
    timeout: 120_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  if (!result.ok) throw new Error(`the Nexmo beta client failed: ${result.error}\ncalls: ${JSON.stringify(result.calls)}`);
  return { out: result.out, calls: result.calls };
}

describe('the Nexmo Conversation beta through the nexmo@2.7.0-beta-1 client', () => {
  let parley: ParleyHarness;
  let appId: string;
  let privateKey: string;
  let out: ClientResults;
  let calls: { name: string; ok: boolean }[];

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    const app = await parley.http().post('/v1/admin/applications').set('X-Api-Key', API_KEY).send({ name: 'Nexmo beta app' }).expect(201);
    appId = app.body.id;
    privateKey = app.body.privateKey;
    ({ out, calls } = await nexmoClientFlow(await parley.listen(), appId, privateKey));
  }, 180_000);
  afterAll(async () => {
    await parley.stop();
  });

  const asApp = () => ({ Authorization: `Bearer ${applicationToken(appId, privateKey)}` });
  const inner = (id: string) => id.replace(/^(USR|CON|MEM)-/, '');

  it('runs every call of the flow green', () => {
    expect(calls.filter((c) => !c.ok)).toEqual([]);
    expect(new Set(calls.map((c) => c.name))).toEqual(
      new Set([
        'users.create',
        'users.get(query)',
        'users.next',
        'users.get(id)',
        'conversations.create',
        'conversations.get(query)',
        'conversations.get(id)',
        'conversations.next',
        'members.create(invite)',
        'members.update(join)',
        'members.create(join)',
        'events.create',
        'events.get(query)',
        'events.next',
        'events.get(id)',
        'events.delete',
        'members.update(leave)',
        'members.get(query)',
        'members.next',
        'members.get(id)',
        'members.delete',
        'conversations.delete',
        'conversations.update',
        'events.create(custom)',
        'users.getConversations',
        'users.update',
        'users.delete',
      ]),
    );
  });

  it('creates users with the seed’s USR- ids and pages them two at a time with next()', () => {
    expect(out['created'].map((u: { id: string }) => u.id)).toEqual([expect.stringMatching(/^USR-/), expect.stringMatching(/^USR-/), expect.stringMatching(/^USR-/)]);
    expect(out['created'][0].href).toContain(`/beta/users/${out['created'][0].id}`);
    expect(out['userPages']).toEqual([['alice', 'bob'], ['carol']]);
    expect(out['user']).toMatchObject({ id: out['created'][0].id, name: 'alice', display_name: 'Alice' });
  });

  it('creates a conversation, finds it by name and shows its members', () => {
    expect(out['conversationCreated'].id).toMatch(/^CON-/);
    expect(out['byName']).toMatchObject({ count: 1, record_index: 0, _embedded: { conversations: [{ uuid: out['conversationCreated'].id, name: 'support', display_name: 'Support' }] } });
    expect(out['conversation']).toMatchObject({
      uuid: out['conversationCreated'].id,
      name: 'support',
      display_name: 'Support',
      members: [
        { member_id: out['invited'].id, name: 'alice', state: 'JOINED' },
        { member_id: out['joined'].id, name: 'bob', state: 'JOINED' },
      ],
    });
    expect(out['conversationPages']).toEqual([['support'], ['second']]);
  });

  it('invites a member who then joins, and joins another', () => {
    expect(out['invited']).toMatchObject({ state: 'INVITED', name: 'alice', user_id: out['created'][0].id, timestamp: { invited: expect.any(String) } });
    expect(out['invited'].id).toMatch(/^MEM-/);
    expect(out['accepted']).toMatchObject({ id: out['invited'].id, state: 'JOINED', timestamp: { invited: expect.any(String), joined: expect.any(String) } });
    expect(out['joined']).toMatchObject({ state: 'JOINED', name: 'bob' });
  });

  it('sends five text events from members, pages them with next(), gets and deletes one', () => {
    const ids = out['sent'].map((e: { id: number }) => e.id);
    expect(ids.every((id: number) => Number.isInteger(id))).toBe(true);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    expect(out['sent'][0]).toMatchObject({ type: 'text', from: out['invited'].id, body: { text: 'hello 1' } });
    const listed = out['eventPages'].flat();
    expect(out['eventPages'].every((page: unknown[]) => page.length <= 3)).toBe(true);
    expect(out['eventPages'].length).toBeGreaterThan(1);
    const texts = listed.filter((e: { type: string }) => e.type === 'text');
    expect(texts.map((e: { id: number }) => e.id)).toEqual(ids);
    expect(texts.map((e: { from: string }) => e.from)).toEqual([out['invited'].id, out['joined'].id, out['invited'].id, out['joined'].id, out['invited'].id]);
    expect(listed.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['member:invited', 'member:joined']));
    expect(out['third']).toMatchObject({ id: ids[2], type: 'text', body: { text: 'hello 3' } });
    expect(out['deleted']).toMatchObject({ id: ids[2], state: 'DELETED', body: {} });
  });

  it('lets a member leave and pages members one at a time with next()', () => {
    expect(out['left']).toMatchObject({ id: out['joined'].id, state: 'LEFT', timestamp: { left: expect.any(String) } });
    expect(out['memberPages']).toEqual([[{ name: 'alice', state: 'JOINED' }], [{ name: 'bob', state: 'LEFT' }]]);
    expect(out['member']).toMatchObject({ id: out['invited'].id, state: 'JOINED' });
  });

  it('updates a conversation’s display name and custom_data, sends a custom event, and pages a user’s conversations with next()', () => {
    expect(out['updated']).toMatchObject({ name: 'second', display_name: 'Second desk', properties: { custom_data: { tier: 'gold' } } });
    expect(out['custom']).toMatchObject({ type: 'custom:ping', body: { n: 1 } });
    expect(out['aliceConversationPages']).toEqual([['second'], ['support']]);
  });

  it('deletes the conversation: the beta answers 404 in the seed’s error body', () => {
    expect(out['afterDelete']).toEqual({ status: 404, body: expect.objectContaining({ code: 'ROOM.NOT_FOUND', message: expect.any(String) }) });
  });

  it('updates a user with users.update (display name, image, custom_data) and deletes it with users.delete', () => {
    expect(out['updatedUser']).toMatchObject({ name: 'dave', display_name: 'Dave D.', image_url: 'https://img.example/dave.png', properties: { custom_data: { plan: 'pro' } } });
    expect(out['afterUserDelete']).toEqual({ status: 404, body: expect.objectContaining({ code: 'USER.NOT_FOUND' }) });
  });

  it('shows it all through Parley’s own API: the closed room, its member states and its comments', async () => {
    const roomId = inner(out['conversationCreated'].id);
    const rooms = await parley.http().get('/v1/application/rooms').set(asApp()).expect(200);
    expect(rooms.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: roomId, applicationName: 'support', name: 'Support', closed: true })]),
    );
    const states = await parley.http().get(`/v1/rooms/${roomId}/member-states`).set(asApp()).expect(200);
    expect(states.body.items).toEqual([
      expect.objectContaining({ userId: inner(out['created'][0].id), state: 'left', invitedBy: `application:${appId}` }),
      expect.objectContaining({ userId: inner(out['bob']), state: 'left', invitedBy: null }),
    ]);
    const timeline = await parley.http().get(`/v1/rooms/${roomId}/comments?after=0&limit=100`).set(asApp()).expect(200);
    const comments = timeline.body.items.filter((i: { kind: string }) => i.kind === 'comment');
    expect(comments.map((c: { text: string | null }) => c.text)).toEqual(['hello 1', 'hello 2', null, 'hello 4', 'hello 5']);
    expect(comments.map((c: { eventId: number }) => c.eventId)).toEqual(out['sent'].map((e: { id: number }) => e.id));
    expect(comments.map((c: { senderId: string }) => c.senderId)).toEqual([
      inner(out['created'][0].id),
      inner(out['bob']),
      inner(out['created'][0].id),
      inner(out['bob']),
      inner(out['created'][0].id),
    ]);
  });
});
