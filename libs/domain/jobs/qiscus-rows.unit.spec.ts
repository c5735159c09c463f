import { PAYLOAD_LIMITS } from '../json-limits';
import { checkQiscusRows } from './qiscus-rows';

describe('Qiscus import rows', () => {
  it('users: Qiscus sample rows pass; email lower-cased, name defaults to the local part, unknown keys ignored', () => {
    const { rows, errors } = checkQiscusRows('users', [
      { Email: 'MyMail@MyMail.com', Name: 'Nama', AvatarUrl: 'https://placehold.it/20x20', AuthenticationToken: 'x', Password: 'password', CreateAt: '2017-05-10T11:46:30Z' },
      { email: 'other@mymail.com' },
    ]);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { row: 1, email: 'mymail@mymail.com', name: 'Nama', password: 'password', createdAt: '2017-05-10T11:46:30.000Z' },
      { row: 2, email: 'other@mymail.com', name: 'other', password: null, createdAt: null },
    ]);
  });

  it('users: each bad field is named, with its row counted from 1', () => {
    const { rows, errors } = checkQiscusRows('users', [{ Name: 'x' }, { Email: 'a@b.co', Name: 42, CreateAt: 'May' }, [], { Email: 'c@d.co' }, { Email: ' C@d.co' }]);
    expect(rows).toHaveLength(1);
    expect(errors).toEqual([
      { row: 1, field: 'Email', reason: 'is required' },
      { row: 2, field: 'Name', reason: 'must be a string' },
      { row: 2, field: 'CreateAt', reason: 'must be an ISO 8601 time, e.g. 2017-05-10T11:46:30Z' },
      { row: 3, field: '(row)', reason: 'must be a JSON object' },
      { row: 5, field: 'Email', reason: 'repeats row 4' },
    ]);
  });

  it('rooms: single rooms have exactly two participants, one the creator; groups need a name', () => {
    const { rows, errors } = checkQiscusRows('rooms', [
      { Name: 'x y', Type: 'single', CreatorEmail: 'user@mymail.com', UniqueId: 'r1', ParticipantEmails: ['user@mymail.com', 'mymail@mymail.com'] },
      { Name: 'Family', Type: 'group', CreatorEmail: 'user@mymail.com', UniqueId: 'r2', ParticipantEmails: ['User@mymail.com', 'a@mymail.com', 'a@mymail.com'] },
      { Type: 'single', CreatorEmail: 'user@mymail.com', UniqueId: 'r3', ParticipantEmails: ['a@mymail.com', 'b@mymail.com'] },
      { Type: 'group', CreatorEmail: 'user@mymail.com', UniqueId: 'r4', AvatarUrl: 'ftp://x' },
      { Type: 'channel', CreatorEmail: 'user@mymail.com', UniqueId: 'r5', ParticipantEmails: 'a@mymail.com' },
    ]);
    expect(rows.map((r) => [r.uniqueId, r.kind, r.name, r.participantEmails])).toEqual([
      ['r1', 'direct', '', ['mymail@mymail.com']],
      ['r2', 'group', 'Family', ['a@mymail.com']],
    ]);
    expect(errors).toEqual([
      { row: 3, field: 'ParticipantEmails', reason: 'a single room has exactly two participants, one of them the creator' },
      { row: 4, field: 'Name', reason: 'is required' },
      { row: 4, field: 'AvatarUrl', reason: 'must be an http(s) URL of at most 2000 characters' },
      { row: 5, field: 'Type', reason: 'must be single or group' },
      { row: 5, field: 'Name', reason: 'is required' },
      { row: 5, field: 'ParticipantEmails', reason: 'must be an array of email addresses' },
    ]);
  });

  it('comments: a reply needs a parent, earlier in the file if it is in the file at all', () => {
    const { rows, errors } = checkQiscusRows('comments', [
      { Message: 'Halo doc', Type: 'text', UniqueId: 'c1', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Payload: null, ParentCommentUniqueId: '' },
      { Message: 'Maaf', Type: 'reply', UniqueId: 'c2', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Payload: { text: 'Maaf', replied_comment_id: 1 }, ParentCommentUniqueId: 'c1' },
      { Message: 'early', Type: 'reply', UniqueId: 'c3', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', ParentCommentUniqueId: 'c4' },
      { Message: 'x', UniqueId: 'c4', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Type: 'reply' },
      { Message: 'x', UniqueId: 'c1', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Type: 'system_event', Payload: [1] },
      { Message: 'stored parent', UniqueId: 'c6', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', ParentCommentUniqueId: 'from-an-earlier-file' },
    ]);
    expect(rows.map((r) => [r.uniqueId, r.commentType, r.parentUniqueId])).toEqual([
      ['c1', 'text', null],
      ['c2', 'reply', 'c1'],
      ['c6', 'text', 'from-an-earlier-file'],
    ]);
    expect(errors).toEqual([
      { row: 3, field: 'ParentCommentUniqueId', reason: 'names row 4; a parent must come earlier in the file' },
      { row: 4, field: 'ParentCommentUniqueId', reason: 'is required for a reply' },
      { row: 5, field: 'Type', reason: 'must be 1-32 lowercase letters, digits or "_", and not a system type' },
      { row: 5, field: 'Payload', reason: 'must be an object or null' },
    ]);
  });

  it('comments: a Payload beyond the JSON limits is refused with the reason, one within them kept', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 999; i++) deep = { a: deep };
    const { rows, errors } = checkQiscusRows('comments', [
      { Message: 'deep', UniqueId: 'c1', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Payload: deep },
      { Message: 'wide', UniqueId: 'c2', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Payload: { k: 'x'.repeat(PAYLOAD_LIMITS.maxStringLength + 1) } },
      { Message: 'fine', UniqueId: 'c3', CreatorEmail: 'u@k.com', RoomUniqueId: 'r', Payload: { a: { b: [1, 'two', null] } } },
    ]);
    expect(rows.map((r) => [r.uniqueId, r.payload])).toEqual([['c3', { a: { b: [1, 'two', null] } }]]);
    expect(errors).toEqual([
      { row: 1, field: 'Payload', reason: `nests deeper than ${PAYLOAD_LIMITS.maxDepth} levels` },
      { row: 2, field: 'Payload', reason: `holds a string longer than ${PAYLOAD_LIMITS.maxStringLength} characters` },
    ]);
  });
});
