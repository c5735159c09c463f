/**
 * One stream-id helper per aggregate. The cut of the streams is what keeps the
 * cost of a command flat in the history behind it (docs/architecture.md):
 * - `room-<id>`: the room's settings and membership, small and cached; a
 *   thread's creation append also carries its first message (seq 1);
 * - `comments-<roomId>`: only CommentPosted, so `seq` is revision + 1 (+ 1 in
 *   a thread) and the decision state of a post is the stream's last event,
 *   read backwards;
 * - `comment-<id>`: a comment's later life (deletion), created on demand;
 * - `read-<roomId>-<userId>`: one member's read marker, state in its last event;
 * - `history-cleared-<roomId>-<userId>`: how far one member cleared a room's history for themselves;
 * - `user-<id>` and `username-<name>` (a uniqueness claim);
 * - `phone-<phoneKey>`: a phone number's claim, by its keyed hash only;
 * - `email-<emailKey>`: an email address's claim, likewise;
 * - `token-family-<id>`: one sign-in's refresh tokens;
 * - `apikey-<id>`: a server API key;
 * - `application-<id>`: an application (Vonage/Nexmo) and its public key;
 * - `contacts-<userId>`, `blocks-<userId>`, `presence-<userId>`: a user's
 *   address book, block list and presence, each its own small stream so that
 *   a presence update never loads the address book;
 * - `media-<id>`: one uploaded file's description, attachments and deletion.
 */
export const streams = {
  user: (userId: string) => `user-${userId}`,
  username: (username: string) => `username-${normalizeUsername(username)}`,
  room: (roomId: string) => `room-${roomId}`,
  comments: (roomId: string) => `comments-${roomId}`,
  comment: (commentId: string) => `comment-${commentId}`,
  readMarker: (roomId: string, userId: string) => `read-${roomId}-${userId}`,
  historyCleared: (roomId: string, userId: string) => `history-cleared-${roomId}-${userId}`,
  phone: (phoneKey: string) => `phone-${phoneKey}`,
  email: (emailKey: string) => `email-${emailKey}`,
  tokenFamily: (familyId: string) => `token-family-${familyId}`,
  apiKey: (keyId: string) => `apikey-${keyId}`,
  application: (applicationId: string) => `application-${applicationId}`,
  contacts: (userId: string) => `contacts-${userId}`,
  blocks: (userId: string) => `blocks-${userId}`,
  presence: (userId: string) => `presence-${userId}`,
  media: (mediaId: string) => `media-${mediaId}`,
  memberProfile: (userId: string) => `member-profile-${userId}`,
  feedback: (authorId: string, subjectId: string) => `feedback-${authorId}-${subjectId}`,
  /** The organisation: groups, peers, memberships and policies (one small aggregate). */
  org: () => 'org',
} as const;

export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}
