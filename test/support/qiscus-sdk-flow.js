'use strict';
/*
 * A chat of two users through the real qiscus-sdk-core, unmodified, in a
 * plain Node process: the SDK starts timers it never stops (presence, MQTT
 * reconnects, token refresh), so it runs where exiting ends them. Reads
 * PARLEY_URL, APP_ID, MQTT_URL (a closed local port: Parley runs no broker)
 * and ALICE, BOB (emails); prints one JSON line with what the SDK answered
 * (or the error it threw). Nothing here waits a fixed time: it polls for
 * what the SDK's own sync delivers, within a bound.
 */
const QiscusSDK = require('qiscus-sdk-core');

const KEY = 'qiscus user key 0123';
const BOUND_MS = 60_000;

async function eventually(what, probe) {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function client(email, name) {
  const qiscus = new QiscusSDK();
  const received = [];
  const deleted = [];
  const cleared = [];
  const read = [];
  await qiscus.init({
    AppId: process.env.APP_ID,
    baseURL: process.env.PARLEY_URL,
    mqttURL: process.env.MQTT_URL,
    options: {
      newMessagesCallback: (messages) => received.push(...messages),
      commentDeletedCallback: (data) => deleted.push(data),
      roomClearedCallback: (room) => cleared.push(room),
      commentReadCallback: (data) => read.push({ message: data.comment.message, userId: data.userId }),
    },
  });
  const login = await qiscus.setUser(email, KEY, name);
  return { qiscus, received, deleted, cleared, read, login };
}

const summary = (comment) => ({ id: comment.id, message: comment.message, email: comment.email, room_id: comment.room_id, unique_id: comment.unique_id ?? comment.unique_temp_id, before_id: comment.before_id ?? comment.comment_before_id });

async function main() {
  const out = {};
  const alice = await client(process.env.ALICE, 'Alice');
  const bob = await client(process.env.BOB, 'Bob');
  out.config = { enableRealtime: alice.qiscus.enableRealtime, syncInterval: alice.qiscus.syncInterval, enableSyncEvent: alice.qiscus.enableSyncEvent };
  out.login = { alice: alice.login.user, bob: bob.login.user };

  // createGroupRoom without an options object throws inside the SDK (GroupChatBuilder reads options.avatarURL): pass one.
  const group = await alice.qiscus.createGroupRoom('Team', [process.env.BOB], {});
  out.group = { id: group.id, name: group.name, participants: group.participants.map((p) => p.email).sort() };
  const single = await alice.qiscus.chatTarget(process.env.BOB);
  out.single = { id: single.id, room_type: single.room_type, participants: single.participants.map((p) => p.email).sort() };
  const again = await alice.qiscus.chatTarget(process.env.BOB);
  out.singleAgain = again.id;

  const bobGroup = await bob.qiscus.getRoomById(group.id);
  out.bobGroup = { id: bobGroup.id, name: bobGroup.name, room_type: bobGroup.room_type, participants: bobGroup.participants.map((p) => p.email).sort() };
  await alice.qiscus.getRoomById(group.id);

  const first = await alice.qiscus.sendComment(group.id, 'hello bob', 'alice-key-1');
  out.sent = [summary(first)];
  out.bobReceived = summary(await eventually('bob to receive "hello bob"', () => bob.received.find((m) => m.message === 'hello bob')));
  const second = await bob.qiscus.sendComment(group.id, 'hi alice');
  out.sent.push(summary(second));
  out.aliceReceived = summary(await eventually('alice to receive "hi alice"', () => alice.received.find((m) => m.message === 'hi alice')));
  out.bobRoomAfterSync = bob.qiscus.selected.comments.map(summary);

  out.loaded = (await bob.qiscus.loadComments(group.id, { limit: 10 })).map(summary);
  out.loadedBefore = (await bob.qiscus.loadComments(group.id, { limit: 10, last_comment_id: second.id })).map(summary);

  // Unread counts and read markers: Alice writes in the single room Bob has not opened.
  await alice.qiscus.sendComment(single.id, 'psst');
  out.unreadBefore = await eventually('bob to have an unread comment', async () => (await bob.qiscus.getTotalUnreadCount()) || null);
  await bob.qiscus.chatTarget(process.env.ALICE); // opening the room reads its last comment (update_comment_status)
  out.unreadAfter = await eventually('bob to have read it', async () => ((await bob.qiscus.getTotalUnreadCount()) === 0 ? 'zero' : null));

  out.aliceRooms = (await alice.qiscus.loadRoomList()).map((room) => ({ id: room.id, name: room.name, room_type: room.room_type, last_comment_message: room.last_comment_message, count_notif: room.count_notif }));
  out.bobRooms = (await bob.qiscus.loadRoomList()).map((room) => ({ id: room.id, name: room.name, count_notif: room.count_notif }));

  await alice.qiscus.deleteComment(group.id, ['alice-key-1']);
  out.bobDeleted = await eventually('bob to learn of the deletion', () => bob.deleted.find((d) => d.commentUniqueIds.includes('alice-key-1')));
  out.afterDelete = (await bob.qiscus.loadComments(group.id, { limit: 10 })).map(summary);
  out.profile = await bob.qiscus.getUserProfile();

  // Bob clears the group's history for himself (clear_room_messages, by the room's unique id): Alice keeps hers.
  out.groupUniqueId = bobGroup.unique_id;
  out.clearAnswer = await bob.qiscus.clearRoomMessages([bobGroup.unique_id]);
  out.bobCleared = await eventually('bob to learn of the clearing through sync_event', () => bob.cleared.find((room) => room.unique_id === bobGroup.unique_id));
  out.bobAfterClear = (await bob.qiscus.loadComments(group.id, { limit: 10 })).map(summary);
  out.aliceAfterClear = (await alice.qiscus.loadComments(group.id, { limit: 10 })).map(summary);
  await alice.qiscus.sendComment(group.id, 'after the clearing');
  out.bobAfterNew = (await eventually('bob to see the next comment', async () => {
    const comments = await bob.qiscus.loadComments(group.id, { limit: 10 });
    return comments.some((c) => c.message === 'after the clearing') ? comments : null;
  })).map(summary);

  // Read receipts: Alice writes in the group she has open; Bob reads it; Alice's SDK learns it through sync_event.
  await alice.qiscus.getRoomById(group.id);
  const readMe = await alice.qiscus.sendComment(group.id, 'read me');
  out.statusBeforeRead = (await alice.qiscus.loadComments(group.id, { limit: 10 })).find((c) => c.message === 'read me').status;
  await eventually('bob to receive "read me"', () => bob.received.find((m) => m.message === 'read me'));
  // The SDK sends status updates through one throttle (a request per 500 ms, carrying the last call's arguments), so a
  // read called just before the SDK reports the same comment received is sent as "received" only. An open chat
  // screen reads what it shows again; so does Bob's here, until Alice learns it.
  out.aliceLearnedRead = await eventually('alice to learn that bob read it', () => {
    const learned = alice.read.find((r) => r.message === 'read me');
    if (!learned) bob.qiscus.readComment(group.id, readMe.id);
    return learned;
  });
  out.statusAfterRead = (await alice.qiscus.loadComments(group.id, { limit: 10 })).find((c) => c.message === 'read me').status;
  out.selectedStatus = alice.qiscus.selected.comments.find((c) => c.message === 'read me').status;
  return out;
}

main().then(
  (out) => process.stdout.write(`${JSON.stringify({ ok: true, out })}\n`, () => process.exit(0)),
  (error) => {
    const response = error && error.response;
    const line = { ok: false, error: String((error && error.stack) || error), status: response ? response.status : null, body: response ? response.text : null };
    process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(0));
  },
);
