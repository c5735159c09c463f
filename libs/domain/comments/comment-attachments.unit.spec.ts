import type { MediaState } from '../media/media.decider';
import { decideAttachments, MAX_ATTACHMENTS, type PostComment } from './comment.decider';

const live = (ownerId: string): MediaState => ({
  status: 'live',
  mediaId: 'm1',
  ownerId,
  type: 'image/png',
  size: 10,
  width: 2,
  height: 1,
  blob: 'b'.repeat(64),
  thumbnails: [{ size: 64, type: 'image/png', width: 2, height: 1, bytes: 10, blob: 'b'.repeat(64) }],
  rooms: [],
});

const post = (attachments: PostComment['attachments']): PostComment => ({
  type: 'PostComment',
  commentId: 'c1',
  roomId: 'r1',
  actor: 'alice',
  text: '',
  commentType: 'text',
  payload: null,
  replyTo: null,
  clientId: null,
  attachments,
  now: '2026-01-01T00:00:00.000Z',
});

const refusal = (command: PostComment): unknown => {
  try {
    decideAttachments(command);
  } catch (error) {
    return error;
  }
  return null;
};

describe('comment attachments', () => {
  it('given one’s own live media, when attached, then the comment shows its metadata and URLs', () => {
    expect(decideAttachments(post([{ mediaId: 'm1', media: live('alice') }]))).toEqual([
      { mediaId: 'm1', type: 'image/png', size: 10, width: 2, height: 1, url: '/v1/media/m1', thumbnails: [{ size: 64, width: 2, height: 1, url: '/v1/media/m1/thumbnails/64' }] },
    ]);
  });

  it("refuses someone else's media, deleted or unknown media, the same media twice, and too many", () => {
    expect(refusal(post([{ mediaId: 'm1', media: live('bob') }]))).toMatchObject({ code: 'COMMENT.ATTACHMENT_INVALID', details: [{ field: 'attachments[0]' }] });
    expect(refusal(post([{ mediaId: 'm1', media: { status: 'deleted', mediaId: 'm1', ownerId: 'alice' } }]))).toMatchObject({ code: 'COMMENT.ATTACHMENT_INVALID' });
    expect(refusal(post([{ mediaId: 'm1', media: { status: 'absent' } }]))).toMatchObject({ code: 'COMMENT.ATTACHMENT_INVALID' });
    expect(refusal(post([{ mediaId: 'm1', media: live('alice') }, { mediaId: 'm1', media: live('alice') }]))).toMatchObject({ details: [{ field: 'attachments[1]' }] });
    const many = Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, i) => ({ mediaId: `m${i}`, media: live('alice') }));
    expect(refusal(post(many))).toMatchObject({ details: [{ field: 'attachments' }] });
  });

  it('a comment without attachments has none', () => {
    expect(decideAttachments(post(undefined))).toEqual([]);
  });
});
