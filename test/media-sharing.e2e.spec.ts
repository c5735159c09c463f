import sharp from 'sharp';
import { ParleyHarness, type TestUser } from './support/parley-app';

const API_KEY = 'media-sharing-e2e-admin-key-0123456789abcdef';

/** Collects a binary body as a Buffer whatever its type. */
const binary = (res: import('supertest').Response, done: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('media shared: room avatars, contacts’ preview photos, user media for administrators, the file-transfer policy', () => {
  let h: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let photo: Buffer;
  const admin = { 'X-Api-Key': API_KEY };

  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY });
    alice = await h.user('alice');
    bob = await h.user('bob');
    photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#cc6633' } }).jpeg().toBuffer();
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  const download = (user: TestUser, path: string, position: string) =>
    h.http().get(path).set(user.auth).set('X-Min-Position', position).buffer(true).parse(binary);

  describe('room avatars uploaded, with their history', () => {
    it('an upload becomes the room’s avatar: members read it, the timeline shows avatar_changed, the history keeps each', async () => {
      const carol = await h.user('carol');
      const room = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Harbour', participants: [bob.id] }).expect(201)).body as { id: string };
      const linked = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(alice.auth).send({ url: 'https://cdn.example.com/harbour.png' }).expect(200);
      expect(linked.body).toEqual({ roomId: room.id, avatarUrl: 'https://cdn.example.com/harbour.png', position: expect.stringMatching(/^\d+$/) });

      const set = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(alice.auth).attach('avatar', photo, 'harbour.jpg').expect(200);
      expect(set.body).toMatchObject({
        roomId: room.id,
        avatarUrl: expect.stringMatching(/^\/v1\/media\/[0-9a-f-]{36}$/),
        media: { type: 'image/jpeg', width: 800, height: 600, thumbnails: expect.arrayContaining([expect.objectContaining({ size: 64 })]) },
      });
      const position = set.body.position as string;
      const got = await h.http().get(`/v1/rooms/${room.id}`).set(bob.auth).set('X-Min-Position', position).expect(200);
      expect(got.body.avatarUrl).toBe(set.body.avatarUrl);
      // A member reads the avatar and its thumbnails; someone outside the room does not.
      expect((await download(bob, set.body.avatarUrl, position).expect(200)).body).toEqual(photo);
      await download(bob, `${set.body.avatarUrl}/thumbnails/64`, position).expect(200);
      await h.http().get(set.body.avatarUrl).set(carol.auth).set('X-Min-Position', position).expect(404);
      // It is the room's media too.
      const media = await h.http().get(`/v1/rooms/${room.id}/media`).set(bob.auth).set('X-Min-Position', position).expect(200);
      expect(media.body.items.map((m: { id: string }) => m.id)).toContain(set.body.media.id);

      const timeline = await h.http().get(`/v1/rooms/${room.id}/comments`).set(bob.auth).set('X-Min-Position', position).expect(200);
      const changes = (timeline.body.items as { kind: string; systemEvent?: { kind: string; avatarUrl?: string | null } }[])
        .filter((item) => item.kind === 'system' && item.systemEvent?.kind === 'avatar_changed')
        .map((item) => item.systemEvent!.avatarUrl);
      expect(changes).toEqual(expect.arrayContaining(['https://cdn.example.com/harbour.png', set.body.avatarUrl]));

      const cleared = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(alice.auth).send({ url: null }).expect(200);
      const history = await h.http().get(`/v1/rooms/${room.id}/avatar/history`).set(bob.auth).set('X-Min-Position', cleared.body.position).expect(200);
      expect(history.body.items).toEqual([
        { url: null, mediaId: null, changedBy: alice.id, changedAt: expect.any(String) },
        { url: set.body.avatarUrl, mediaId: set.body.media.id, changedBy: alice.id, changedAt: expect.any(String) },
        { url: 'https://cdn.example.com/harbour.png', mediaId: null, changedBy: alice.id, changedAt: expect.any(String) },
      ]);
      await h.http().get(`/v1/rooms/${room.id}/avatar/history`).set(carol.auth).expect(404);
    });

    it('refuses, storing nothing: a member the room’s permissions do not allow, an avatar that is not an image, an outsider', async () => {
      const dave = await h.user('dave');
      const room = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Locked', participants: [bob.id], permissions: { rename: false } }).expect(201)).body as { id: string };
      const before = await head();
      const forbidden = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(bob.auth).attach('avatar', photo, 'bob.jpg').expect(403);
      expect(forbidden.body.code).toBe('ROOM.RENAME_NOT_ALLOWED');
      const notImage = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(alice.auth).attach('avatar', Buffer.from('words, not pixels'), 'a.txt').expect(400);
      expect(notImage.body).toMatchObject({ code: 'MEDIA.NOT_AN_IMAGE', details: [{ field: 'avatar' }] });
      await h.http().put(`/v1/rooms/${room.id}/avatar`).set(dave.auth).attach('avatar', photo, 'dave.jpg').expect(404);
      const badLink = await h.http().put(`/v1/rooms/${room.id}/avatar`).set(alice.auth).send({ url: 'javascript:alert(1)' }).expect(400);
      expect(badLink.body.details).toEqual([expect.objectContaining({ field: 'url' })]);
      expect(await head()).toBe(before);
    });
  });

  describe('contacts’ photos at a preview size, all at once (Windu)', () => {
    it('answers every matched contact’s photo at the size asked for, with privacy and blocks applied', async () => {
      const [viewer, open, linked, hidden, blocker, plain] = (await Promise.all(['viewer', 'open', 'linked', 'hidden', 'blocker', 'plain'].map((name) => h.user(name)))) as [
        TestUser,
        TestUser,
        TestUser,
        TestUser,
        TestUser,
        TestUser,
      ];
      for (const contact of [open, linked, hidden, blocker, plain]) {
        await h.http().post('/v1/contacts').set(viewer.auth).send({ contactId: contact.id, firstName: 'C', lastName: 'C' }).expect(201);
      }
      const openPhoto = await h.http().put('/v1/me/photo').set(open.auth).attach('photo', photo, 'open.jpg').expect(200);
      await h.http().put('/v1/me/photo').set(linked.auth).send({ url: 'https://cdn.example.com/linked.png' }).expect(200);
      await h.http().put('/v1/me/photo').set(hidden.auth).attach('photo', photo, 'hidden.jpg').expect(200);
      await h.http().put('/v1/me/privacy').set(hidden.auth).send({ photo: 'none' }).expect(200);
      await h.http().put('/v1/me/photo').set(blocker.auth).attach('photo', photo, 'blocker.jpg').expect(200);
      await h.http().post(`/v1/contacts/${viewer.id}/block`).set(blocker.auth).expect(200);
      await h.settled();

      const res = await h.http().get('/v1/contacts/photos?size=64').set(viewer.auth).expect(200);
      expect(res.body.size).toBe(64);
      const byUser = new Map((res.body.items as { userId: string }[]).map((item) => [item.userId, item]));
      expect(byUser.get(open.id)).toEqual({
        contactId: open.id,
        userId: open.id,
        url: openPhoto.body.url,
        preview: { url: `${openPhoto.body.url}/thumbnails/64`, width: 64, height: 48 },
      });
      expect(byUser.get(linked.id)).toMatchObject({ url: 'https://cdn.example.com/linked.png', preview: { url: 'https://cdn.example.com/linked.png', width: null, height: null } });
      expect(byUser.get(hidden.id)).toMatchObject({ url: null, preview: null });
      expect(byUser.get(blocker.id)).toMatchObject({ url: null, preview: null });
      expect(byUser.get(plain.id)).toMatchObject({ url: null, preview: null });
      // The preview named is one the viewer may fetch.
      const preview = await h.http().get(`${openPhoto.body.url}/thumbnails/64`).set(viewer.auth).buffer(true).parse(binary).expect(200);
      expect((await sharp(preview.body as Buffer).metadata()).width).toBe(64);

      const large = await h.http().get('/v1/contacts/photos?size=1024').set(viewer.auth).expect(200);
      expect(large.body.items.find((item: { userId: string }) => item.userId === open.id).preview).toEqual({ url: `${openPhoto.body.url}/thumbnails/1024`, width: 800, height: 600 });
      const refused = await h.http().get('/v1/contacts/photos?size=100').set(viewer.auth).expect(400);
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'size' })]);
    });
  });

  describe('a user’s media for administrators (admin:media)', () => {
    it('lists, reads, adds and deletes any user’s media; another user’s id finds nothing; a key without the scope is refused', async () => {
      const erin = await h.user('erin');
      const own = (await h.http().post('/v1/media').set(erin.auth).attach('file', photo, 'erin.jpg').expect(201)).body;
      const base = `/v1/admin/users/${erin.id}/media`;
      const added = await h.http().post(base).set(admin).send({ data: Buffer.from('Quarterly report\n').toString('base64'), name: 'report.txt' }).expect(201);
      expect(added.body).toMatchObject({ ownerId: erin.id, type: 'text/plain', name: 'report.txt' });

      const listed = await h.http().get(base).set(admin).set('X-Min-Position', added.body.position).expect(200);
      expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([added.body.id, own.id]);
      // The user sees what was added as their own.
      const mine = await h.http().get('/v1/media').set(erin.auth).set('X-Min-Position', added.body.position).expect(200);
      expect(mine.body.items.map((m: { id: string }) => m.id)).toContain(added.body.id);

      expect((await h.http().get(`${base}/${own.id}/info`).set(admin).expect(200)).body).toMatchObject({ id: own.id, name: 'erin.jpg' });
      const bytes = await h.http().get(`${base}/${own.id}`).set(admin).buffer(true).parse(binary).expect(200);
      expect(bytes.body).toEqual(photo);
      await h.http().get(`/v1/admin/users/${bob.id}/media/${own.id}/info`).set(admin).expect(404);
      await h.http().delete(`/v1/admin/users/${bob.id}/media/${own.id}`).set(admin).expect(404);

      const deleted = await h.http().delete(`${base}/${own.id}`).set(admin).expect(200);
      expect(deleted.body).toEqual({ id: own.id, deleted: true, position: expect.stringMatching(/^\d+$/) });
      await h.http().get(own.url).set(erin.auth).set('X-Min-Position', deleted.body.position).expect(404);

      await h.http().get(base).expect(401);
      const narrow = await h.http().post('/v1/admin/api-keys').set(admin).send({ name: 'users only', scopes: ['admin:users'] }).expect(201);
      expect((await h.http().get(base).set({ 'X-Api-Key': narrow.body.key as string }).expect(403)).body.code).toBe('AUTH.SCOPE_MISSING');
      await h.http().get('/v1/admin/users/00000000-0000-4000-8000-000000000000/media').set(admin).expect(404);
    });
  });

  describe('file transfer under the organisation’s policy', () => {
    it('trillian.filetransfer 0 refuses the user’s uploads with 403 MEDIA.FILE_TRANSFER_DISABLED, storing nothing; others still upload', async () => {
      const frank = await h.user('frank');
      const policy = await h.http().post('/v1/admin/policies').set(admin).send({ name: 'No files', items: { 'trillian.filetransfer': '0' } }).expect(201);
      const group = await h.http().post('/v1/admin/groups').set(admin).send({ displayName: 'Restricted', policyId: policy.body.policy.id }).expect(201);
      await h.http().put(`/v1/admin/groups/${group.body.group.id}/members/${frank.id}`).set(admin).expect(200);
      expect((await h.http().get('/v1/me/policy').set(frank.auth).expect(200)).body.fileTransfer).toBe(false);

      const before = await head();
      const refused = await h.http().post('/v1/media').set(frank.auth).attach('file', photo, 'frank.jpg').expect(403);
      expect(refused.body).toMatchObject({ statusCode: 403, code: 'MEDIA.FILE_TRANSFER_DISABLED' });
      const json = await h.http().post('/v1/media').set(frank.auth).send({ data: Buffer.from('hello\n').toString('base64') }).expect(403);
      expect(json.body.code).toBe('MEDIA.FILE_TRANSFER_DISABLED');
      expect(await head()).toBe(before);
      await h.http().post('/v1/media').set(alice.auth).attach('file', photo, 'alice.jpg').expect(201);
      // An administrator adding media for the user is not the user transferring a file.
      await h.http().post(`/v1/admin/users/${frank.id}/media`).set(admin).send({ data: Buffer.from('hello\n').toString('base64') }).expect(201);
    });
  });
});
