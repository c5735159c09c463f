'use strict';
/*
 * The flow through the official @vonage/conversations and
 * @vonage/users clients, unmodified, in a plain Node process: Jest's module
 * loader cannot load the ESM-only node-fetch those clients require, while
 * Node 20 itself can. Reads PARLEY_URL, APP_ID and PRIVATE_KEY; prints one
 * JSON line with what the clients answered (or the error they threw).
 */
const { Conversations } = require('@vonage/conversations');
const { Users } = require('@vonage/users');
const { Auth } = require('@vonage/auth');

async function main() {
  const auth = new Auth({ applicationId: process.env.APP_ID, privateKey: process.env.PRIVATE_KEY });
  const apiHost = `${process.env.PARLEY_URL}/vonage`;
  const conversations = new Conversations(auth, { apiHost });
  const users = new Users(auth, { apiHost });
  const out = {};

  out.users = [];
  for (const [name, displayName] of [['alice', 'Alice'], ['bob', 'Bob'], ['carol', undefined]]) {
    out.users.push(await users.createUser({ name, ...(displayName ? { displayName } : {}) }));
  }
  out.userPages = [];
  let cursor;
  do {
    const page = await users.getUserPage({ pageSize: 2, ...(cursor ? { cursor } : {}) });
    out.userPages.push((page._embedded?.users ?? []).map((u) => u.name));
    cursor = page._links?.next?.href ? new URL(page._links.next.href).searchParams.get('cursor') ?? undefined : undefined;
  } while (cursor);
  out.allUsers = [];
  for await (const user of users.listAllUsers({ pageSize: 2 })) out.allUsers.push(user.name);

  const conversation = await conversations.createConversation({ name: 'support', displayName: 'Support' });
  out.conversation = conversation;
  const id = conversation.id;
  const [alice] = out.users;
  out.invited = await conversations.createMember(id, { state: 'invited', user: { id: alice.id }, channel: { type: 'app' } });
  out.accepted = await conversations.updateMember(id, out.invited.id, { state: 'joined' });
  out.joined = await conversations.createMember(id, { state: 'joined', user: { name: 'bob' }, channel: { type: 'app' } });
  out.sent = [];
  for (let i = 1; i <= 5; i++) {
    const from = i % 2 ? out.invited.id : out.joined.id;
    out.sent.push(await conversations.createEvent(id, { type: 'message', from, body: { messageType: 'text', text: `hello ${i}` } }));
  }
  out.eventPages = [];
  let eventCursor;
  do {
    const page = await conversations.getEventPage(id, { pageSize: 3, ...(eventCursor ? { cursor: eventCursor } : {}) });
    out.eventPages.push(page.events.map((e) => e.id));
    eventCursor = page.links?.next ? new URL(page.links.next.href).searchParams.get('cursor') : null;
  } while (eventCursor);
  out.allEvents = [];
  for await (const event of conversations.listAllEvents(id, { pageSize: 3 })) out.allEvents.push({ id: event.id, type: event.type, body: event.body });
  const third = out.sent[2].id;
  out.third = await conversations.getEvent(id, String(third));
  await conversations.deleteEvent(id, String(third));
  out.deleted = await conversations.getEvent(id, String(third));
  out.left = await conversations.updateMember(id, out.joined.id, { state: 'left' });
  out.members = [];
  for await (const member of conversations.listAllMembers(id, { pageSize: 1 })) out.members.push({ name: member.user?.name, state: member.state });
  await conversations.deleteConversation(id);
  try {
    await conversations.getConversation(id);
    out.afterDelete = 'found';
  } catch (error) {
    out.afterDelete = { status: error.response?.status, body: await error.response?.json?.().catch(() => null) };
  }
  const dave = await users.createUser({ name: 'dave', displayName: 'Dave' });
  out.updatedUser = await users.updateUser({ id: dave.id, name: 'dave', displayName: 'Dave D.', imageUrl: 'https://img.example/dave.png', properties: { customData: { plan: 'pro' } } });
  out.gotUser = await users.getUser(dave.id);
  await users.deleteUser(dave.id);
  try {
    await users.getUser(dave.id);
    out.afterUserDelete = 'found';
  } catch (error) {
    out.afterUserDelete = { status: error.response?.status, body: await error.response?.json?.().catch(() => null) };
  }
  return out;
}

main().then(
  (out) => process.stdout.write(`${JSON.stringify({ ok: true, out })}\n`),
  async (error) => {
    const body = error.response ? await error.response.text().catch(() => null) : null;
    process.stdout.write(`${JSON.stringify({ ok: false, error: String(error.stack ?? error), status: error.response?.status ?? null, body })}\n`);
  },
);
