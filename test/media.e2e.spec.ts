import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { zipArchive } from './support/zip';

const MAX_BYTES = 2 * 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Collects a binary body as a Buffer whatever its type. */
const binary = (res: import('supertest').Response, done: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('media: uploads, downloads and thumbnails in the blob store beside the log', () => {
  let h: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let photo: Buffer;

  beforeAll(async () => {
    h = await ParleyHarness.start({ MEDIA_MAX_BYTES: String(MAX_BYTES), MEDIA_MAX_PIXELS: '1000000' });
    alice = await h.user('alice');
    bob = await h.user('bob');
    photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  });
  afterAll(async () => {
    await h.stop();
  });

  const head = async (): Promise<string | null> => (await h.http().get('/health').expect(200)).body.eventStore.head;
  const upload = (user: TestUser, bytes: Buffer, filename = 'harbour.jpg', contentType?: string) =>
    h.http().post('/v1/media').set(user.auth).attach('file', bytes, contentType ? { filename, contentType } : { filename });
  const download = (user: TestUser, path: string, position: string) =>
    h.http().get(path).set(user.auth).set('X-Min-Position', position).buffer(true).parse(binary);

  it('uploads an image as a form: its sniffed type, real dimensions, digest and thumbnails never larger than the original', async () => {
    const res = await upload(alice, photo).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ownerId: alice.id,
      type: 'image/jpeg',
      size: photo.length,
      width: 800,
      height: 600,
      sha256: sha256(photo),
      name: 'harbour.jpg',
      url: `/v1/media/${res.body.id}`,
      thumbnails: [
        { size: 64, width: 64, height: 48, url: `/v1/media/${res.body.id}/thumbnails/64` },
        { size: 256, width: 256, height: 192, url: `/v1/media/${res.body.id}/thumbnails/256` },
        { size: 1024, width: 800, height: 600, url: `/v1/media/${res.body.id}/thumbnails/1024` },
      ],
      createdAt: expect.any(String),
      removed: false,
      position: expect.stringMatching(/^\d+$/),
    });
  });

  it('works on images in a child process at the lowest CPU priority, so sends come first on a busy machine', async () => {
    await h.http().post('/v1/media').set(alice.auth).attach('file', photo, 'priority.jpg').expect(201);
    const children = execFileSync('ps', ['-o', 'ni=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('image-worker.process'));
    expect(children).toHaveLength(1);
    expect(Number(children[0]!.trim().split(/\s+/, 1)[0])).toBe(19);

    // A worker that dies is started again for the next image.
    const pid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-f', 'image-worker.process'], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await new Promise<void>((resolve) => {
      const check = () => (execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' }).includes(String(pid)) ? setTimeout(check, 20) : resolve());
      check();
    });
    const again = await h.http().post('/v1/media').set(alice.auth).attach('file', photo, 'again.jpg').expect(201);
    expect(again.body).toMatchObject({ width: 800, height: 600 });
  });

  it('serves the bytes with type, length, a strong ETag, Cache-Control and ranges; HEAD says the same without a body', async () => {
    const { body: media } = await upload(alice, photo).expect(201);
    const res = await download(alice, media.url, media.position).expect(200);
    expect(res.body).toEqual(photo);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-length']).toBe(String(photo.length));
    expect(res.headers['etag']).toBe(`"${sha256(photo)}"`);
    expect(res.headers['cache-control']).toMatch(/private/);
    expect(res.headers['accept-ranges']).toBe('bytes');

    const headed = await h.http().head(media.url).set(alice.auth).expect(200);
    expect(headed.headers['content-length']).toBe(String(photo.length));
    expect(headed.headers['etag']).toBe(`"${sha256(photo)}"`);
    expect(headed.text ?? '').toBe('');

    const part = await download(alice, media.url, media.position).set('Range', 'bytes=100-199').expect(206);
    expect(part.body).toEqual(photo.subarray(100, 200));
    expect(part.headers['content-range']).toBe(`bytes 100-199/${photo.length}`);
    const tail = await download(alice, media.url, media.position).set('Range', 'bytes=-10').expect(206);
    expect(tail.body).toEqual(photo.subarray(-10));

    const beyond = await h.http().get(media.url).set(alice.auth).set('Range', `bytes=${photo.length}-`).expect(416);
    expect(beyond.body.code).toBe('MEDIA.RANGE_NOT_SATISFIABLE');
    expect(beyond.headers['content-range']).toBe(`bytes */${photo.length}`);

    await h.http().get(media.url).set(alice.auth).set('If-None-Match', `"${sha256(photo)}"`).expect(304);
  });

  it('serves thumbnails at their documented sizes', async () => {
    const { body: media } = await upload(alice, photo).expect(201);
    const small = await download(alice, `${media.url}/thumbnails/64`, media.position).expect(200);
    expect(small.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(small.body as Buffer).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 64, height: 48 });
    // Never enlarged: the original serves where it is no larger than the size.
    expect((await download(alice, `${media.url}/thumbnails/1024`, media.position).expect(200)).body).toEqual(photo);
    expect((await h.http().get(`${media.url}/thumbnails/100`).set(alice.auth).expect(404)).body.code).toBe('MEDIA.THUMBNAIL_NOT_FOUND');
  });

  it('takes JSON with base64 bytes as Trillian sends them; files that are not images are kept as they are', async () => {
    const text = Buffer.from('Sales goals for the quarter: more boats.\n');
    const res = await h.http().post('/v1/media').set(alice.auth).send({ data: text.toString('base64'), type: 'text/plain', name: 'Sales Goals.txt' }).expect(201);
    expect(res.body).toMatchObject({ type: 'text/plain', size: text.length, width: null, height: null, thumbnails: [], name: 'Sales Goals.txt' });
    const back = await download(alice, res.body.url, res.body.position).expect(200);
    expect(Buffer.from(back.body as Buffer)).toEqual(text);
  });

  describe('bad input is refused with the field named, nothing stored, no event', () => {
    async function refused(send: () => Promise<{ status: number; body: Record<string, unknown> }>, status: number, code: string, field: string) {
      const before = await head();
      const blobsBefore = filesUnder(join(h.dataDir, 'media')).filter((f) => !f.includes(`${join('media', 'tmp')}`)).length;
      const res = await send();
      expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code });
      expect(res.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await head()).toBe(before);
      expect(filesUnder(join(h.dataDir, 'media')).filter((f) => !f.includes(`${join('media', 'tmp')}`)).length).toBe(blobsBefore);
    }

    it('a body that is not base64', async () => {
      await refused(() => h.http().post('/v1/media').set(alice.auth).send({ data: 'not base64!!', type: 'text/plain' }), 400, 'REQUEST.VALIDATION_FAILED', 'data');
    });

    it('bytes that do not match the claimed type', async () => {
      await refused(() => h.http().post('/v1/media').set(alice.auth).send({ data: photo.toString('base64'), type: 'image/png' }), 400, 'MEDIA.TYPE_MISMATCH', 'type');
      await refused(() => upload(alice, Buffer.from('plain words'), 'photo.png', 'image/png'), 400, 'MEDIA.TYPE_MISMATCH', 'file');
    });

    it('a truncated image', async () => {
      await refused(() => upload(alice, photo.subarray(0, Math.floor(photo.length / 2))), 400, 'MEDIA.IMAGE_INVALID', 'file');
    });

    it('an image of more pixels than configured (a decompression bomb)', async () => {
      const bomb = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
      expect(bomb.length).toBeLessThan(50_000);
      await refused(() => upload(alice, bomb, 'bomb.png'), 400, 'MEDIA.TOO_MANY_PIXELS', 'file');
    });

    it('a zip bomb: entries that overlap and expand far beyond the archive, or that lie about their size', async () => {
      const zeros = Buffer.alloc(1024 * 1024);
      const overlapping = zipArchive(Array.from({ length: 200 }, (_, i) => ({ name: `part-${i}.bin`, data: zeros })), { overlapping: true });
      expect(overlapping.length).toBeLessThan(MAX_BYTES);
      await refused(() => upload(alice, overlapping, 'bomb.zip'), 400, 'MEDIA.ZIP_BOMB', 'file');
      const lying = zipArchive([{ name: 'small.txt', data: Buffer.alloc(8 * 1024 * 1024), declaredSize: 100 }]);
      await refused(() => h.http().post('/v1/media').set(alice.auth).send({ data: lying.toString('base64'), type: 'application/zip' }), 400, 'MEDIA.ZIP_BOMB', 'data');
      // A plain archive is kept as it is.
      const plain = zipArchive([{ name: 'goals.txt', data: Buffer.from('Sales goals\n'.repeat(50)) }]);
      expect((await upload(alice, plain, 'goals.zip').expect(201)).body).toMatchObject({ type: 'application/zip', size: plain.length });
    });

    it('a type not among the accepted ones', async () => {
      await refused(() => upload(alice, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), 'blob.bin'), 400, 'MEDIA.TYPE_NOT_ALLOWED', 'file');
    });

    it('a form file over the limit is cut off as it streams in: 413', async () => {
      await refused(() => upload(alice, Buffer.alloc(MAX_BYTES + 1, 0x41), 'big.txt'), 413, 'MEDIA.TOO_LARGE', 'file');
    });
  });

  it('answers 413 to a declared length over the limit before the body is read', async () => {
    const base = await h.listen();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/media`, {
        method: 'POST',
        headers: { ...alice.auth, 'content-type': 'application/json', 'content-length': String(10 * MAX_BYTES) },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Only the start of the body is ever sent: the answer must not wait for the rest.
      req.write('{"data":"');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'MEDIA.TOO_LARGE', details: [{ field: 'data' }] });
  });

  it('decodes a base64 body as it streams in: 413 as soon as the decoded bytes pass the limit, before the body ends', async () => {
    const base = await h.listen();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // Chunked, no Content-Length: only reading the body can tell its size.
      const req = httpRequest(`${base}/v1/media`, { method: 'POST', headers: { ...alice.auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // More than the limit decoded, still within the body limit, and the body never ends: only a streaming reader answers.
      req.write('{"type":"text/plain","data":"');
      req.write(Buffer.alloc(MAX_BYTES + 3000, 0x41).toString('base64'));
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'MEDIA.TOO_LARGE', details: [{ field: 'data' }] });
  });

  it('takes a base64 body whose fields come in any order, with escaped slashes', async () => {
    // Base64 "Pz8/Cg==": a slash to escape.
    const bytes = Buffer.from('???\n');
    const json = `{"name":"odd.bin","data":"${Buffer.from('text\n').toString('base64')}","type":"text/plain"}`;
    const res = await h.http().post('/v1/media').set(alice.auth).set('content-type', 'application/json').send(json).expect(201);
    expect(res.body).toMatchObject({ name: 'odd.bin', type: 'text/plain', size: 5 });
    const escaped = `{"data":"${bytes.toString('base64').replace(/\//g, '\\/')}"}`;
    expect(escaped).toContain('\\/');
    const back = await h.http().post('/v1/media').set(alice.auth).set('content-type', 'application/json').send(escaped).expect(201);
    expect(back.body).toMatchObject({ type: 'text/plain', size: 4 });
    expect((await download(alice, back.body.url, back.body.position).expect(200)).body).toEqual(bytes);
  });

  it("another user's private upload is not found, bytes, info and thumbnails alike", async () => {
    const { body: media } = await upload(alice, photo).expect(201);
    expect((await h.http().get(media.url).set(bob.auth).set('X-Min-Position', media.position).expect(404)).body.code).toBe('MEDIA.NOT_FOUND');
    await h.http().head(media.url).set(bob.auth).expect(404);
    await h.http().get(`${media.url}/thumbnails/64`).set(bob.auth).expect(404);
    await h.http().get(`${media.url}/info`).set(bob.auth).expect(404);
    await h.http().delete(media.url).set(bob.auth).expect(404);
    await h.http().get(media.url).expect(401);
  });

  it('keeps the same bytes once, sealed: no file in the blob store holds them in clear', async () => {
    const marker = Buffer.from(`a very particular text ${Date.now()} that must never be on disk in clear\n`);
    const first = await h.http().post('/v1/media').set(alice.auth).send({ data: marker.toString('base64') }).expect(201);
    const count = filesUnder(join(h.dataDir, 'media')).length;
    const second = await h.http().post('/v1/media').set(alice.auth).send({ data: marker.toString('base64') }).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(filesUnder(join(h.dataDir, 'media')).length).toBe(count);
    for (const file of filesUnder(join(h.dataDir, 'media'))) expect(readFileSync(file).includes(marker.subarray(0, 30))).toBe(false);
  });

  it('lists the own media; deleting removes the bytes from storage while the events stay, and a shared blob stays for the other item', async () => {
    const text = Buffer.from(`delete me ${Date.now()}\n`);
    const one = (await h.http().post('/v1/media').set(alice.auth).send({ data: text.toString('base64') }).expect(201)).body;
    const two = (await h.http().post('/v1/media').set(alice.auth).send({ data: text.toString('base64') }).expect(201)).body;
    const listed = await h.http().get('/v1/media').set(alice.auth).set('X-Min-Position', two.position).expect(200);
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([one.id, two.id]));
    const files = filesUnder(join(h.dataDir, 'media')).length;

    const deleted = await h.http().delete(one.url).set(alice.auth).expect(200);
    expect(deleted.body).toEqual({ id: one.id, deleted: true, position: expect.stringMatching(/^\d+$/) });
    await h.http().get(one.url).set(alice.auth).set('X-Min-Position', deleted.body.position).expect(404);
    expect(filesUnder(join(h.dataDir, 'media')).length).toBe(files);
    expect((await download(alice, two.url, deleted.body.position).expect(200)).body).toEqual(text);

    const gone = await h.http().delete(two.url).set(alice.auth).expect(200);
    expect(filesUnder(join(h.dataDir, 'media')).length).toBe(files - 1);
    await h.http().delete(two.url).set(alice.auth).set('X-Min-Position', gone.body.position).expect(404);
    const events = await h.http().get('/health').expect(200);
    expect(events.body.eventStore.head).not.toBeNull();
  });

  describe('room media (Trillian group-chat media)', () => {
    const createRoom = async (owner: TestUser, members: TestUser[]) =>
      (await h.http().post('/v1/rooms').set(owner.auth).send({ name: 'Sales', participants: members.map((m) => m.id) }).expect(201)).body as { id: string };

    it("members list, read and add the room's media; outsiders find nothing; a plain member may not delete another's item, an operator may", async () => {
      const carol = await h.user('carol');
      const dave = await h.user('dave');
      const room = await createRoom(alice, [bob, carol]);
      const uploaded = (await h.http().post(`/v1/rooms/${room.id}/media`).set(bob.auth).attach('file', photo, 'Stage 3 Mockup.jpg').expect(201)).body;
      // Members read it; someone outside the room does not even see it exists.
      expect((await download(carol, uploaded.url, uploaded.position).expect(200)).body).toEqual(photo);
      await h.http().get(uploaded.url).set(dave.auth).set('X-Min-Position', uploaded.position).expect(404);
      await h.http().get(`/v1/rooms/${room.id}/media`).set(dave.auth).set('X-Min-Position', uploaded.position).expect(404);
      await h.http().post(`/v1/rooms/${room.id}/media`).set(dave.auth).attach('file', photo, 'x.jpg').expect(404);

      const own = (await h.http().post('/v1/media').set(carol.auth).send({ data: Buffer.from('Sales goals\n').toString('base64') }).expect(201)).body;
      const added = await h.http().put(`/v1/rooms/${room.id}/media/${own.id}`).set(carol.auth).expect(200);
      expect(added.body).toMatchObject({ id: own.id, type: 'text/plain' });
      // Someone else's upload cannot be added.
      await h.http().put(`/v1/rooms/${room.id}/media/${uploaded.id}`).set(carol.auth).expect(404);

      const listed = await h.http().get(`/v1/rooms/${room.id}/media`).set(alice.auth).set('X-Min-Position', added.body.position).expect(200);
      expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([own.id, uploaded.id]);
      expect((await h.http().get(`/v1/rooms/${room.id}/media/${own.id}`).set(bob.auth).set('X-Min-Position', added.body.position).expect(200)).body.name).toBeNull();

      expect((await h.http().delete(`/v1/rooms/${room.id}/media/${uploaded.id}`).set(carol.auth).expect(403)).body.code).toBe('MEDIA.DELETE_NOT_ALLOWED');
      const deleted = await h.http().delete(`/v1/rooms/${room.id}/media/${uploaded.id}`).set(alice.auth).expect(200);
      const after = await h.http().get(`/v1/rooms/${room.id}/media`).set(bob.auth).set('X-Min-Position', deleted.body.position).expect(200);
      expect(after.body.items.map((m: { id: string }) => m.id)).toEqual([own.id]);
    });

    it("an erased uploader's room media shows as removed and its bytes cannot be read", async () => {
      const erin = await h.user('erin');
      const room = await createRoom(alice, [erin]);
      const uploaded = (await h.http().post(`/v1/rooms/${room.id}/media`).set(erin.auth).send({ data: photo.toString('base64'), name: 'erin.jpg' }).expect(201)).body;
      await h.http().post('/v1/me/remove').set(erin.auth).send({}).expect(200);
      await h.settled();
      const listed = await h.http().get(`/v1/rooms/${room.id}/media`).set(alice.auth).expect(200);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: uploaded.id, removed: true, sha256: null, name: null })]);
      expect((await h.http().get(uploaded.url).set(alice.auth).expect(404)).body.code).toBe('MEDIA.REMOVED');
    });
  });

  describe('attachments on comments', () => {
    it('a comment carries its media: the timeline shows metadata and URLs, members read the bytes', async () => {
      const carol = await h.user('carol');
      const room = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Boats', participants: [bob.id] }).expect(201)).body as { id: string };
      const media = (await upload(alice, photo).expect(201)).body;
      const posted = await h.http().post(`/v1/rooms/${room.id}/comments`).set(alice.auth).send({ attachments: [media.id] }).expect(201);
      const attachment = {
        mediaId: media.id,
        type: 'image/jpeg',
        size: photo.length,
        width: 800,
        height: 600,
        url: media.url,
        thumbnails: media.thumbnails,
      };
      expect(posted.body).toMatchObject({ text: '', attachments: [attachment] });
      const timeline = await h.http().get(`/v1/rooms/${room.id}/comments`).set(bob.auth).set('X-Min-Position', posted.body.position).expect(200);
      expect(timeline.body.items.find((item: { id: string }) => item.id === posted.body.id).attachments).toEqual([attachment]);
      // A member of the room reads it now; someone outside still does not.
      expect((await download(bob, media.url, posted.body.position).expect(200)).body).toEqual(photo);
      await h.http().get(media.url).set(carol.auth).set('X-Min-Position', posted.body.position).expect(404);
    });

    it("refuses someone else's media, naming the attachment, and writes nothing", async () => {
      const room = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Boats', participants: [bob.id] }).expect(201)).body as { id: string };
      const theirs = (await upload(bob, photo).expect(201)).body;
      const before = await head();
      const res = await h.http().post(`/v1/rooms/${room.id}/comments`).set(alice.auth).send({ text: 'look', attachments: [theirs.id] }).expect(400);
      expect(res.body).toMatchObject({ code: 'COMMENT.ATTACHMENT_INVALID', details: [{ field: 'attachments[0]' }] });
      expect(await head()).toBe(before);
      await h.http().post(`/v1/rooms/${room.id}/comments`).set(alice.auth).send({ text: 'x', attachments: ['not-an-id'] }).expect(400);
    });
  });

  describe('profile photo upload (Windu)', () => {
    it('PUT /v1/me/photo takes an upload: the photo is the user media, its thumbnails the preview sizes, readable as privacy allows', async () => {
      const frank = await h.user('frank');
      const res = await h.http().put('/v1/me/photo').set(frank.auth).attach('photo', photo, 'photo.jpg').expect(200);
      expect(res.body).toMatchObject({ url: expect.stringMatching(/^\/v1\/media\/[0-9a-f-]{36}$/), media: { type: 'image/jpeg', width: 800 } });
      const me = await h.http().get('/v1/me').set(frank.auth).set('X-Min-Position', res.body.position).expect(200);
      expect(me.body.photoUrl).toBe(res.body.url);
      // Everyone may see the photo by default; the preview size too.
      expect((await download(bob, `${res.body.url}/thumbnails/64`, res.body.position).expect(200)).headers['content-type']).toBe('image/jpeg');
      const hidden = await h.http().put('/v1/me/privacy').set(frank.auth).send({ photo: 'none' }).expect(200);
      await h.http().get(res.body.url).set(bob.auth).set('X-Min-Position', hidden.body.position).expect(404);
      expect((await download(frank, res.body.url, hidden.body.position).expect(200)).body).toEqual(photo);
    });

    it('refuses a photo that is not an image, and still takes a URL', async () => {
      const grace = await h.user('grace');
      const refused = await h.http().put('/v1/me/photo').set(grace.auth).attach('photo', Buffer.from('not a picture'), 'photo.txt').expect(400);
      expect(refused.body).toMatchObject({ code: 'MEDIA.NOT_AN_IMAGE', details: [{ field: 'photo' }] });
      const byUrl = await h.http().put('/v1/me/photo').set(grace.auth).send({ url: 'https://cdn.example.com/grace.png' }).expect(200);
      expect(byUrl.body.url).toBe('https://cdn.example.com/grace.png');
    });
  });
});
