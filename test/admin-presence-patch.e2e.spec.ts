import { ParleyHarness } from './support/parley-app';

const API_KEY = 'admin-presence-patch-key-0123456789abcdef';

describe('PATCH /v1/admin/users/:id/presence: an administrator’s partial presence update (Trillian’s PATCH)', () => {
  let h: ParleyHarness;
  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('sets the status or the message alone, keeping the other and the device', async () => {
    const ann = await h.user('ann');
    await h.http().put('/v1/me/presence').set(ann.auth).send({ status: 'away', message: 'At lunch', device: { name: 'Desk', platform: 'Windows', version: '6.0' } }).expect(200);
    const status = await h.http().patch(`/v1/admin/users/${ann.id}/presence`).set('X-Api-Key', API_KEY).send({ status: 'busy' }).expect(200);
    expect(status.body).toMatchObject({ status: 'busy', message: 'At lunch', device: { name: 'Desk' }, written: 1 });
    const message = await h.http().patch(`/v1/admin/users/${ann.id}/presence`).set('X-Api-Key', API_KEY).send({ message: 'In a meeting' }).expect(200);
    expect(message.body).toMatchObject({ status: 'busy', message: 'In a meeting', device: { name: 'Desk' } });
    const cleared = await h.http().patch(`/v1/admin/users/${ann.id}/presence`).set('X-Api-Key', API_KEY).send({ message: null }).expect(200);
    expect(cleared.body).toMatchObject({ status: 'busy', message: null });
  });

  it('refuses an empty change, an unknown status and an unknown user, writing nothing', async () => {
    const ann = await h.user('ann');
    await h.settled();
    const head = async () => (await h.http().get('/health').expect(200)).body.eventStore.head as string | null;
    const before = await head();
    const empty = await h.http().patch(`/v1/admin/users/${ann.id}/presence`).set('X-Api-Key', API_KEY).send({}).expect(400);
    expect(empty.body).toMatchObject({ code: 'PRESENCE.UPDATE_EMPTY', details: [{ field: 'status' }] });
    const bad = await h.http().patch(`/v1/admin/users/${ann.id}/presence`).set('X-Api-Key', API_KEY).send({ status: 'asleep' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('status');
    await h.http().patch('/v1/admin/users/00000000-0000-4000-8000-000000000000/presence').set('X-Api-Key', API_KEY).send({ status: 'online' }).expect(404);
    await h.http().patch(`/v1/admin/users/${ann.id}/presence`).send({ status: 'online' }).expect(401);
    expect(await head()).toBe(before);
  });
});
