import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ParleyHarness } from './support/parley-app';
import { applicationToken, registerApplication } from './support/application-tokens';

const API_KEY = 'pk_vonage_client_e2e_0123456789abcdef0123456789abcd';
const run = promisify(execFile);
/** What the client flow printed: parsed JSON, shaped by the Vonage clients. */
type ClientResults = ReturnType<typeof JSON.parse>;

/** Runs the official Vonage clients (unmodified) in a plain Node process against this Parley; answers their results. */
async function vonageClientFlow(base: string, appId: string, privateKey: string): Promise<ClientResults> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'support', 'vonage-client-flow.js')], {
    env: { ...process.env, PARLEY_URL: base, APP_ID: appId, PRIVATE_KEY: privateKey },
    timeout: 120_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  if (!result.ok) throw new Error(`the Vonage client failed: ${result.error} (HTTP ${result.status}: ${result.body})`);
  return result.out;
}

describe('Vonage Conversation API v1 through the official @vonage clients', () => {
  let parley: ParleyHarness;
  let appId: string;
  let privateKey: string;
  let out: ClientResults;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    ({ id: appId, privateKey } = await registerApplication(parley, API_KEY, 'Vonage app'));
    out = await vonageClientFlow(await parley.listen(), appId, privateKey);
  }, 180_000);
  afterAll(async () => {
    await parley.stop();
  });

  const asApp = () => ({ Authorization: `Bearer ${applicationToken(appId, privateKey)}` });

  it('creates users and pages them two at a time', () => {
    expect(out['users'].map((u: { name: string; displayName: string }) => [u.name, u.displayName])).toEqual([['alice', 'Alice'], ['bob', 'Bob'], ['carol', 'carol']]);
    expect(out['users'][0].id).toMatch(/^USR-/);
    expect(out['userPages']).toEqual([['alice', 'bob'], ['carol']]);
    expect(out['allUsers']).toEqual(['alice', 'bob', 'carol']);
  });

  it('creates a conversation and members: one invited then joined, one joined', () => {
    expect(out['conversation']).toMatchObject({ name: 'support', displayName: 'Support', state: 'ACTIVE' });
    expect(out['conversation'].id).toMatch(/^CON-/);
    expect(out['invited']).toMatchObject({ state: 'INVITED', user: { name: 'alice' } });
    expect(out['invited'].id).toMatch(/^MEM-/);
    expect(out['accepted']).toMatchObject({ id: out['invited'].id, state: 'JOINED' });
    expect(out['joined']).toMatchObject({ state: 'JOINED', user: { name: 'bob' } });
  });

  it('posts five messages with increasing integer ids, pages, gets and deletes one', () => {
    const ids = out['sent'].map((e: { id: number }) => e.id);
    expect(ids.every((id: number) => Number.isInteger(id))).toBe(true);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    expect(out['sent'][0]).toMatchObject({ type: 'message', body: { messageType: 'text', text: 'hello 1' }, from: out['invited'].id });
    const paged = out['eventPages'].flat();
    expect(out['eventPages'].every((page: number[]) => page.length <= 3)).toBe(true);
    expect(paged).toEqual(out['allEvents'].map((e: { id: number }) => e.id));
    expect(paged).toEqual(expect.arrayContaining(ids));
    expect(new Set(paged).size).toBe(paged.length);
    expect(out['third']).toMatchObject({ id: ids[2], type: 'message', body: { text: 'hello 3' } });
    expect(out['deleted']).toMatchObject({ id: ids[2], state: 'DELETED', body: { text: null } });
  });

  it('updates a member to left, lists every member with its state, and deletes the conversation', () => {
    expect(out['left']).toMatchObject({ id: out['joined'].id, state: 'LEFT' });
    expect(out['members']).toEqual([
      { name: 'alice', state: 'JOINED' },
      { name: 'bob', state: 'LEFT' },
    ]);
    expect(out['afterDelete']).toMatchObject({ status: 404, body: { title: 'ROOM.NOT_FOUND', type: expect.stringContaining('not-found') } });
  });

  it('updates a user (display name, image, custom_data) and deletes it', () => {
    expect(out['updatedUser']).toMatchObject({ name: 'dave', displayName: 'Dave D.', imageUrl: 'https://img.example/dave.png', properties: { customData: { plan: 'pro' } } });
    expect(out['gotUser']).toMatchObject({ id: out['updatedUser'].id, displayName: 'Dave D.', imageUrl: 'https://img.example/dave.png', properties: { customData: { plan: 'pro' } } });
    expect(out['afterUserDelete']).toMatchObject({ status: 404, body: { title: 'USER.NOT_FOUND' } });
  });

  it('shows it all through Parley’s own API: the room, its member states and its comments', async () => {
    const roomId = (out['conversation'].id as string).slice('CON-'.length);
    const rooms = await parley.http().get('/v1/application/rooms').set(asApp()).expect(200);
    expect(rooms.body.items).toEqual([expect.objectContaining({ id: roomId, applicationName: 'support', name: 'Support', closed: true })]);
    const states = await parley.http().get(`/v1/rooms/${roomId}/member-states`).set(asApp()).expect(200);
    expect(states.body.items).toEqual([
      expect.objectContaining({ state: 'joined', invitedBy: `application:${appId}` }),
      expect.objectContaining({ state: 'left', invitedBy: null }),
    ]);
    const timeline = await parley.http().get(`/v1/rooms/${roomId}/comments?after=0&limit=100`).set(asApp()).expect(200);
    const comments = timeline.body.items.filter((i: { kind: string }) => i.kind === 'comment');
    expect(comments.map((c: { text: string | null }) => c.text)).toEqual(['hello 1', 'hello 2', null, 'hello 4', 'hello 5']);
    expect(comments.map((c: { eventId: number }) => c.eventId)).toEqual(out['sent'].map((e: { id: number }) => e.id));
    const senders = comments.map((c: { senderId: string }) => c.senderId);
    expect(senders[0]).toBe((out['users'][0].id as string).slice('USR-'.length));
    expect(senders[1]).toBe((out['users'][1].id as string).slice('USR-'.length));
  });
});
