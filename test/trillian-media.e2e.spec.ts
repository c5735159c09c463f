import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { seedExample } from './fixtures/trillian-examples';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { structureDifferences, structureOf } from './support/xml-structure';

const API_KEY = 'trillian-media-e2e-admin-key-0123456789abcdef';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** Collects a binary body as a Buffer whatever its type. */
const binary = (res: import('supertest').Response, done: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('Trillian media (issue #15): group-chat media and user media in the seed’s shapes', () => {
  let h: ParleyHarness;
  let ann: TestUser;
  let bob: TestUser;
  let photo: Buffer;
  let token = '';
  const admin = { 'X-Api-Key': API_KEY };
  const t = (path: string) => `/trillian/v1/${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  const mediaOf = (xml: string) => /<media m="([^"]+)">/.exec(xml)![1]!;
  const element = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
  /** The answer is XML whose element structure is the seed's listing of a group chat's media. */
  function shapedAsSeed(res: { status: number; text: string; headers: Record<string, unknown> }, status: number) {
    expect([res.status, res.status === status ? '' : res.text]).toEqual([status, '']);
    expect(String(res.headers['content-type'])).toMatch(/^application\/xml/);
    expect(structureDifferences(structureOf(res.text), structureOf(seedExample('Get all media owned by a group chat').xml))).toEqual([]);
  }
  async function groupchatWith(...members: TestUser[]): Promise<{ name: string; roomId: string }> {
    const created = await h.http().post(t('groupchats/')).type('form').send({ displayname: 'Sales' }).expect(201);
    const name = /<groupchat name="([^"]+)">/.exec(created.text)![1]!;
    for (const member of members) await h.http().post(t(`groupchats/${encodeURIComponent(name)}/${member.id}/`)).expect(201);
    return { name: encodeURIComponent(name), roomId: name.slice(1, 37) };
  }

  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    [ann, bob] = await Promise.all([h.user('ann'), h.user('bob')]);
    photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
    const key = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'trillian media', scopes: ['admin:rooms', 'admin:media'] }).expect(201);
    token = key.body.key as string;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('group chat: adds (form, base64), lists, gets with its bytes, HEADs and deletes media the group chat owns; its members read it natively', async () => {
    const { name, roomId } = await groupchatWith(ann);
    const text = Buffer.from('Sales!');
    const thumbnail = (await sharp(photo).resize(64).jpeg().toBuffer()).toString('base64');
    const added = await h.http().post(t(`groupchats/${name}/media/`)).type('form').send({ data: text.toString('base64'), type: 'text/plain', name: 'Sales Goals.txt' });
    shapedAsSeed(added, 201);
    const textId = mediaOf(added.text);
    expect(element(added.text, 'owner')).toBe(`#${roomId}@127.0.0.1`);
    expect(element(added.text, 'data')).toBe(sha256(text).toString('base64'));
    const image = await h
      .http()
      .post(t(`groupchats/${name}/media`))
      .type('form')
      .send({ data: photo.toString('base64'), type: 'image/jpeg', name: 'Stage 3 Mockup.jpg', imagewidth: '640', imageheight: '480', thumbnail });
    shapedAsSeed(image, 201);
    const imageId = mediaOf(image.text);

    const listed = await h.http().get(t(`groupchats/${name}/media/`));
    shapedAsSeed(listed, 200);
    expect([...listed.text.matchAll(/<media m="([^"]+)">/g)].map((m) => m[1])).toEqual([imageId, textId]);
    expect(listed.text).toContain('<type>image/jpeg</type><name>Stage 3 Mockup.jpg</name>');
    expect(listed.text).toContain(`<data>${sha256(photo).toString('base64')}</data>`);
    // A list carries each image's smallest thumbnail (Parley's own, 64 px on the long side).
    const listedThumbnail = Buffer.from(element(listed.text.slice(listed.text.indexOf(`m="${imageId}"`)), 'thumbnail'), 'base64');
    expect(await sharp(listedThumbnail).metadata()).toMatchObject({ width: 64, height: 48 });

    const one = await h.http().get(t(`groupchats/${name}/media/${imageId}/`));
    shapedAsSeed(one, 200);
    expect(Buffer.from(element(one.text, 'data'), 'base64')).toEqual(photo);
    const json = await h.http().get(t(`groupchats/${name}/media/${textId}?format=json`)).expect(200);
    expect(json.body.response.media).toMatchObject({ m: textId, size: 6, type: 'text/plain', name: 'Sales Goals.txt', expiresAt: 0, thumbnail: '', data: text.toString('base64') });
    const headed = await h.http().head(t(`groupchats/${name}/media/${imageId}/`)).expect(200);
    expect(headed.headers).toMatchObject({ 'content-type': 'image/jpeg', 'content-length': String(photo.length), etag: `"${sha256(photo).toString('hex')}"` });

    // Parley's own API: the room's members read its media; an outsider does not.
    const native = await h.http().get(`/v1/rooms/${roomId}/media`).set(ann.auth).expect(200);
    expect(native.body.items.map((m: { id: string; ownerId: string }) => [m.id, m.ownerId])).toEqual([[imageId, roomId], [textId, roomId]]);
    const bytes = await h.http().get(`/v1/media/${imageId}`).set(ann.auth).buffer(true).parse(binary).expect(200);
    expect(bytes.body).toEqual(photo);
    await h.http().get(`/v1/media/${imageId}`).set(bob.auth).expect(404);

    await h.http().delete(t(`groupchats/${name}/media/${imageId}/`)).expect(204);
    await h.settled(); // a 204 carries no position
    expect((await h.http().get(t(`groupchats/${name}/media/${imageId}/`)).expect(404)).body.code).toBe('MEDIA.NOT_FOUND');
    expect((await h.http().get(t(`groupchats/${name}/media/`))).text).not.toContain(imageId);
    await h.http().get(`/v1/media/${imageId}`).set(ann.auth).expect(404);
  });

  it('group chat: a member’s own upload into the room is listed with the member as its owner; another room’s item is not found', async () => {
    const { name, roomId } = await groupchatWith(ann);
    const other = await groupchatWith();
    const upload = await h.http().post(`/v1/rooms/${roomId}/media`).set(ann.auth).send({ data: Buffer.from('notes\n').toString('base64'), name: 'notes.txt' }).expect(201);
    const listed = await h.http().get(t(`groupchats/${name}/media/`)).set('X-Min-Position', upload.body.position as string);
    shapedAsSeed(listed, 200);
    expect(element(listed.text, 'owner')).toBe(ann.id);
    await h.http().get(t(`groupchats/${other.name}/media/${upload.body.id}/`)).expect(404);
    await h.http().delete(t(`groupchats/${other.name}/media/${upload.body.id}/`)).expect(404);
    await h.http().head(t(`groupchats/${other.name}/media/${upload.body.id}/`)).expect(404);
  });

  it('user: adds (JSON and a form whose base64 has bare +), lists, gets and deletes a user’s media, which is the user’s own', async () => {
    const carol = await h.user('carol');
    const user = `${carol.id}@127.0.0.1`;
    const added = await h.http().post(t(`users/${user}/media/`)).send({ data: photo.toString('base64'), type: 'image/jpeg', name: 'me.jpg', imagewidth: 640, imageheight: 480 });
    shapedAsSeed(added, 201);
    const photoId = mediaOf(added.text);
    expect(element(added.text, 'owner')).toBe(carol.id);
    // curl -d sends base64 as it is: its + stays a +.
    const plus = Buffer.from('Hi>>\n');
    expect(plus.toString('base64')).toContain('+');
    const raw = await h.http().post(t(`users/${carol.id}/media`)).type('form').send(`name=plus.txt&data=${plus.toString('base64')}`);
    shapedAsSeed(raw, 201);
    const rawId = mediaOf(raw.text);

    const listed = await h.http().get(t(`users/${carol.id}/media/`));
    shapedAsSeed(listed, 200);
    expect([...listed.text.matchAll(/<media m="([^"]+)">/g)].map((m) => m[1])).toEqual([rawId, photoId]);
    const got = await h.http().get(t(`users/${carol.id}/media/${rawId}/?format=json`)).expect(200);
    expect(Buffer.from(got.body.response.media.data as string, 'base64')).toEqual(plus);
    await h.http().head(t(`users/${carol.id}/media/${photoId}`)).expect(200);
    // The user reads it as theirs; another user's path does not find it.
    const own = await h.http().get(`/v1/media/${photoId}`).set(carol.auth).buffer(true).parse(binary).expect(200);
    expect(own.body).toEqual(photo);
    await h.http().get(t(`users/${bob.id}/media/${photoId}/`)).expect(404);
    await h.http().delete(t(`users/${bob.id}/media/${photoId}/`)).expect(404);

    await h.http().delete(t(`users/${carol.id}/media/${photoId}/`)).expect(204);
    await h.settled(); // a 204 carries no position
    await h.http().get(`/v1/media/${photoId}`).set(carol.auth).expect(404);
    await h.http().get(t('users/00000000-0000-4000-8000-000000000000/media/')).expect(404);
  });

  it('refuses bad input naming the field and writing nothing; a token without admin:media is refused', async () => {
    const { name } = await groupchatWith();
    const rooms = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'rooms only', scopes: ['admin:rooms'] }).expect(201);
    const before = await head();
    const field = async (res: { status: number; body: { details?: { field: string }[] } }, status: number, fieldName: string) => {
      expect(res.status).toBe(status);
      expect(res.body.details?.map((d) => d.field)).toContain(fieldName);
    };
    const post = (body: Record<string, string>) => h.http().post(t(`groupchats/${name}/media/`)).type('form').send(body);
    await field(await post({ data: 'not base64!!', type: 'text/plain' }), 400, 'data');
    await field(await post({ data: photo.toString('base64'), type: 'image/png' }), 400, 'type');
    await field(await post({ data: photo.toString('base64'), imagewidth: '641', imageheight: '480' }), 400, 'imagewidth');
    await field(await post({ data: photo.toString('base64'), imagewidth: 'wide' }), 400, 'imagewidth');
    await field(await post({ data: Buffer.from('x\n').toString('base64'), imageheight: '10' }), 400, 'imageheight');
    await field(await post({ data: Buffer.from('x\n').toString('base64'), thumbnail: 'QQ' }), 400, 'thumbnail');
    await field(await post({ data: Buffer.from('x\n').toString('base64'), thumbnail: Buffer.from('not an image').toString('base64') }), 400, 'thumbnail');
    await field(await post({ data: Buffer.from('x\n').toString('base64'), thumbnail: Buffer.alloc(65536, 1).toString('base64') }), 400, 'thumbnail');
    await field(await post({ data: Buffer.from('x\n').toString('base64'), colour: 'blue' }), 400, 'colour');
    await field(await h.http().post(t(`groupchats/${name}/media/`)).type('form').send('data=QQ%ZZ'), 400, 'data');
    await field(await h.http().get(t(`groupchats/${name}/media/not-an-id/`)), 400, 'item');
    await field(await h.http().get(t('groupchats/not-a-room/media/')), 400, 'groupchat');
    expect((await h.http().get(t('groupchats/00000000-0000-4000-8000-000000000000/media/'))).status).toBe(404);
    const refused = await h.http().get(`/trillian/v1/groupchats/${name}/media/?token=${encodeURIComponent(rooms.body.key as string)}`).expect(403);
    expect(refused.body.code).toBe('AUTH.SCOPE_MISSING');
    expect(await head()).toBe(before);
  });

  describe('Parley’s own API: a room’s media for administrators (admin:media)', () => {
    it('adds media the room owns, lists, reads and deletes a room’s media whoever its members are; another room’s item is not found', async () => {
      const { roomId } = await groupchatWith(bob);
      const other = await groupchatWith();
      const base = `/v1/admin/rooms/${roomId}/media`;
      const added = await h.http().post(base).set(admin).send({ data: photo.toString('base64'), name: 'plan.jpg' }).expect(201);
      expect(added.body).toMatchObject({ ownerId: roomId, type: 'image/jpeg', width: 640, height: 480, name: 'plan.jpg' });
      const listed = await h.http().get(base).set(admin).set('X-Min-Position', added.body.position as string).expect(200);
      expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([added.body.id]);
      expect((await h.http().get(`${base}/${added.body.id}/info`).set(admin).expect(200)).body).toMatchObject({ id: added.body.id, ownerId: roomId });
      const bytes = await h.http().get(`${base}/${added.body.id}`).set(admin).buffer(true).parse(binary).expect(200);
      expect(bytes.body).toEqual(photo);
      await h.http().head(`${base}/${added.body.id}`).set(admin).expect(200);
      // The room's members read it; it is not theirs to delete unless they run the room.
      await h.http().get(`/v1/media/${added.body.id}/info`).set(bob.auth).expect(200);
      expect((await h.http().delete(`/v1/rooms/${roomId}/media/${added.body.id}`).set(bob.auth).expect(403)).body.code).toBe('MEDIA.DELETE_NOT_ALLOWED');
      await h.http().get(`/v1/admin/rooms/${other.roomId}/media/${added.body.id}/info`).set(admin).expect(404);
      await h.http().delete(`/v1/admin/rooms/${other.roomId}/media/${added.body.id}`).set(admin).expect(404);

      const deleted = await h.http().delete(`${base}/${added.body.id}`).set(admin).expect(200);
      expect(deleted.body).toEqual({ id: added.body.id, deleted: true, position: expect.stringMatching(/^\d+$/) });
      await h.http().get(`/v1/media/${added.body.id}/info`).set(bob.auth).set('X-Min-Position', deleted.body.position as string).expect(404);
      await h.http().get(`/v1/admin/rooms/00000000-0000-4000-8000-000000000000/media`).set(admin).expect(404);
      const narrow = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'users only', scopes: ['admin:users'] }).expect(201);
      expect((await h.http().get(base).set({ 'X-Api-Key': narrow.body.key as string }).expect(403)).body.code).toBe('AUTH.SCOPE_MISSING');
    });
  });
});
