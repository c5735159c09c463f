import sharp from 'sharp';
import { SseClient } from './support/feed-clients';
import { ParleyHarness, type TestUser } from './support/parley-app';
import { signatureValid, WebhookReceiver } from './support/webhook-receiver';

const API_KEY = 'media-delivery-e2e-admin-key-0123456789abcdef';
const SECRET = 'whsec-media-0123456789abcdef';

describe('attachments reach the live feed and webhooks with their metadata and URLs', () => {
  let h: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let base: string;
  let receiver: WebhookReceiver;
  let feed: SseClient | null = null;

  beforeAll(async () => {
    h = await ParleyHarness.start({ ADMIN_API_KEY: API_KEY, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '20' });
    alice = await h.user('alice', 'Alice');
    bob = await h.user('bob', 'Bob');
    base = await h.listen();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    feed?.close();
    await h.stop();
    await receiver.close();
  });

  it('a comment with an image and a file: the feed and the webhook carry each attachment’s type, size, dimensions, URL and thumbnails, never the bytes', async () => {
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#118844' } }).jpeg().toBuffer();
    const room = (await h.http().post('/v1/rooms').set(alice.auth).send({ name: 'Delivered', participants: [bob.id] }).expect(201)).body.id as string;
    const hook = await h.http().post('/v1/admin/webhooks').set({ 'X-Api-Key': API_KEY }).send({ url: receiver.url, secret: SECRET, events: ['CommentPosted'] }).expect(201);
    feed = await SseClient.connect(base, bob.token, { from: hook.body.position });

    const image = (await h.http().post('/v1/media').set(alice.auth).attach('file', photo, 'boat.jpg').expect(201)).body;
    const text = Buffer.from('Departure at nine.\n');
    const file = (await h.http().post('/v1/media').set(alice.auth).send({ data: text.toString('base64'), name: 'plan.txt' }).expect(201)).body;
    const posted = (await h.http().post(`/v1/rooms/${room}/comments`).set(alice.auth).send({ text: 'the plan', attachments: [image.id, file.id] }).expect(201)).body;

    const attachments = [
      { mediaId: image.id, type: 'image/jpeg', size: photo.length, width: 640, height: 480, url: `/v1/media/${image.id}`, thumbnails: image.thumbnails },
      { mediaId: file.id, type: 'text/plain', size: text.length, width: null, height: null, url: `/v1/media/${file.id}`, thumbnails: [] },
    ];
    expect(image.thumbnails).toEqual([
      { size: 64, width: 64, height: 48, url: `/v1/media/${image.id}/thumbnails/64` },
      { size: 256, width: 256, height: 192, url: `/v1/media/${image.id}/thumbnails/256` },
      { size: 1024, width: 640, height: 480, url: `/v1/media/${image.id}/thumbnails/1024` },
    ]);

    await feed.waitForPosition(posted.position);
    const message = feed.messages.find((m) => m.position === posted.position)!;
    expect(message).toMatchObject({ type: 'CommentPosted', data: { commentId: posted.id, text: 'the plan' } });
    expect(message.data['attachments']).toEqual(attachments);

    await receiver.waitForAccepted(posted.position);
    const delivery = receiver.accepted.find((r) => r.position === posted.position)!;
    expect(signatureValid(delivery, SECRET)).toBe(true);
    const body = JSON.parse(delivery.body) as { type: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'CommentPosted', data: { commentId: posted.id } });
    expect(body.data['attachments']).toEqual(attachments);
    // Metadata only: no bytes, no digest of them, no blob address.
    expect(delivery.body).not.toContain(photo.subarray(0, 64).toString('base64'));
    expect(JSON.stringify(body.data['attachments'])).not.toMatch(/blob|sha256|[0-9a-f]{64}/);

    // The URLs delivered are ones a member fetches.
    const fetched = await h.http().get(attachments[1]!.url).set(bob.auth).set('X-Min-Position', posted.position).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(text);
  });
});
