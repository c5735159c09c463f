import type { ParleyEvent } from '../libs/domain/events';
import { MEDIA, MEDIA_BLOBS, mediaProjection, ROOM_MEDIA } from './media.projection';
import { at } from './testing/parley-events';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const M = '11111111-1111-4111-8111-111111111111';
const BLOB = 'a'.repeat(64);
const THUMB = 'b'.repeat(64);

const uploaded = (ownerId = 'u-alice'): ParleyEvent => ({
  type: 'MediaUploaded',
  data: {
    mediaId: M,
    ownerId,
    type: 'image/jpeg',
    size: 5000,
    sha256: 'c'.repeat(64),
    name: 'harbour.jpg',
    width: 640,
    height: 480,
    blob: BLOB,
    thumbnails: [{ size: 64, type: 'image/jpeg', width: 64, height: 48, bytes: 900, blob: THUMB }],
    uploadedAt: at(1),
  },
});
const attached = (roomId = 'r-1'): ParleyEvent => ({
  type: 'MediaAttached',
  data: { mediaId: M, ownerId: 'u-alice', roomId, purpose: 'room_media', attachedBy: 'u-alice', attachedAt: at(2) },
});
const deleted: ParleyEvent = { type: 'MediaDeleted', data: { mediaId: M, ownerId: 'u-alice', blobs: [BLOB, THUMB], deletedBy: 'u-alice', deletedAt: at(3) } };

describe('media projection', () => {
  it('MediaUploaded: the metadata, and one entry per blob it names', async () => {
    const scenario = await given(mediaProjection, []);
    await scenario.when(uploaded());
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ ownerId: 'u-alice', type: 'image/jpeg', width: 640, rooms: [], deleted: false, removed: false, photo: false });
    expect((await scenario.docs(MEDIA_BLOBS)).map((doc) => doc['address']).sort()).toEqual([BLOB, THUMB]);
    await thenReplayChangesNothing(scenario, 'MediaUploaded');
  });

  it('MediaAttached: the room may read it and lists it', async () => {
    const scenario = await given(mediaProjection, [uploaded()]);
    await scenario.when(attached());
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ rooms: ['r-1'] });
    expect(await scenario.doc(ROOM_MEDIA, `r-1:${M}`)).toMatchObject({ roomId: 'r-1', mediaId: M, deleted: false });
    await thenReplayChangesNothing(scenario, 'MediaAttached');
  });

  it('MediaDeleted: marked deleted, its blob entries gone, its room entries deleted', async () => {
    const scenario = await given(mediaProjection, [uploaded(), attached()]);
    await scenario.when(deleted);
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ deleted: true });
    expect(await scenario.docs(MEDIA_BLOBS)).toEqual([]);
    expect(await scenario.doc(ROOM_MEDIA, `r-1:${M}`)).toMatchObject({ deleted: true });
    await thenReplayChangesNothing(scenario, 'MediaDeleted');
  });

  it('UserRemoved: the owner’s media shows as removed, without digest or name', async () => {
    const scenario = await given(mediaProjection, [uploaded()]);
    await scenario.when({ type: 'UserRemoved', data: { userId: 'u-alice', reason: 'self', feedback: null, removedBy: 'u-alice', removedAt: at(4) } });
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ removed: true, sha256: null, name: null });
    await thenReplayChangesNothing(scenario, 'UserRemoved');
  });

  it('ProfilePhotoChanged to a media path: the owner’s photo, readable as privacy allows', async () => {
    const scenario = await given(mediaProjection, [uploaded()]);
    await scenario.when({ type: 'ProfilePhotoChanged', data: { userId: 'u-alice', photoUrl: `/v1/media/${M}`, changedBy: 'u-alice', changedAt: at(5) } });
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ photo: true });
    await thenReplayChangesNothing(scenario, 'ProfilePhotoChanged');
  });

  it("ProfilePhotoChanged naming someone else's media changes nothing", async () => {
    const scenario = await given(mediaProjection, [uploaded('u-bob')]);
    await scenario.when({ type: 'ProfilePhotoChanged', data: { userId: 'u-alice', photoUrl: `/v1/media/${M}`, changedBy: 'u-alice', changedAt: at(5) } });
    expect(await scenario.doc(MEDIA, M)).toMatchObject({ photo: false });
  });
});
