'use strict';
/*
 * The flow through the Nexmo beta client (`nexmo@2.7.0-beta-1`),
 * unmodified, in a plain Node process as an application runs it: the client
 * takes a bare host (`apiHost`) and speaks plain HTTP only when `port` is not
 * 443. Reads PARLEY_URL, APP_ID and PRIVATE_KEY; prints one JSON line with
 * what the client answered, call by call (or the error it gave).
 */
const Nexmo = require('nexmo');

const url = new URL(process.env.PARLEY_URL);
const nexmo = new Nexmo(
  { apiKey: 'unused', apiSecret: 'unused', applicationId: process.env.APP_ID, privateKey: process.env.PRIVATE_KEY },
  { apiHost: url.hostname, port: Number(url.port) },
);

/** Every call the flow makes, in order, with how it ended: the report says which calls run green. */
const calls = [];

/** Calls `method` of the client with node-style callback; answers its result or throws what it gave. */
function call(name, fn) {
  return new Promise((resolve, reject) => {
    fn((error, result) => {
      if (error) {
        calls.push({ name, ok: false, status: error.statusCode ?? null });
        const failure = new Error(`${name} failed: HTTP ${error.statusCode}: ${JSON.stringify(error.body ?? error.message ?? error)}`);
        failure.nexmo = { status: error.statusCode ?? null, body: error.body ?? null };
        reject(failure);
      } else {
        calls.push({ name, ok: true });
        resolve(result);
      }
    });
  });
}

/** Follows `next()` of a resource until the client says there is no next page. */
async function allPages(name, first, next) {
  const pages = [first];
  while (pages[pages.length - 1]._links.next) pages.push(await call(`${name}.next`, (cb) => next(pages[pages.length - 1], cb)));
  return pages;
}

async function main() {
  const { users, conversations } = nexmo;
  const { members, events } = conversations;
  const out = {};

  out.created = [];
  for (const [name, display_name] of [['alice', 'Alice'], ['bob', 'Bob'], ['carol', undefined]]) {
    out.created.push(await call('users.create', (cb) => users.create({ name, ...(display_name ? { display_name } : {}) }, cb)));
  }
  const [alice, bob] = out.created;
  const firstUsers = await call('users.get(query)', (cb) => users.get({ page_size: 2 }, cb));
  out.userPages = (await allPages('users', firstUsers, (page, cb) => users.next(page, cb))).map((page) => page._embedded.users.map((u) => u.name));
  out.user = await call('users.get(id)', (cb) => users.get(alice.id, cb));

  const conversation = await call('conversations.create', (cb) => conversations.create({ name: 'support', display_name: 'Support' }, cb));
  out.conversationCreated = conversation;
  const id = conversation.id;
  out.byName = await call('conversations.get(query)', (cb) => conversations.get({ name: 'support' }, cb));

  out.invited = await call('members.create(invite)', (cb) => members.create(id, { action: 'invite', user_id: alice.id, channel: { type: 'app' } }, cb));
  out.accepted = await call('members.update(join)', (cb) => members.update(id, out.invited.id, { action: 'join' }, cb));
  out.joined = await call('members.create(join)', (cb) => members.create(id, { action: 'join', user_name: 'bob', channel: { type: 'app' } }, cb));
  out.conversation = await call('conversations.get(id)', (cb) => conversations.get(id, cb));

  out.sent = [];
  for (let i = 1; i <= 5; i++) {
    const from = i % 2 ? out.invited.id : out.joined.id;
    out.sent.push(await call('events.create', (cb) => events.create(id, { type: 'text', from, body: { text: `hello ${i}` } }, cb)));
  }
  const firstEvents = await call('events.get(query)', (cb) => events.get(id, { page_size: 3 }, cb));
  out.eventPages = (await allPages('events', firstEvents, (page, cb) => events.next(page, cb))).map((page) =>
    page._embedded.events.map((e) => ({ id: e.id, type: e.type, from: e.from ?? null, text: e.body.text ?? null })),
  );
  const third = out.sent[2].id;
  out.third = await call('events.get(id)', (cb) => events.get(id, String(third), cb));
  await call('events.delete', (cb) => events.delete(id, String(third), cb));
  out.deleted = await call('events.get(id)', (cb) => events.get(id, String(third), cb));

  out.left = await call('members.update(leave)', (cb) => members.update(id, out.joined.id, { action: 'leave' }, cb));
  const firstMembers = await call('members.get(query)', (cb) => members.get(id, { page_size: 1 }, cb));
  out.memberPages = (await allPages('members', firstMembers, (page, cb) => members.next(page, cb))).map((page) =>
    page._embedded.members.map((m) => ({ name: m.name, state: m.state })),
  );
  out.member = await call('members.get(id)', (cb) => members.get(id, out.invited.id, cb));

  const second = (await call('conversations.create', (cb) => conversations.create({ name: 'second', display_name: 'Second' }, cb))).id;
  out.updated = await call('conversations.update', (cb) =>
    conversations.update(second, { display_name: 'Second desk', properties: { custom_data: { tier: 'gold' } } }, cb),
  );
  const there = await call('members.create(join)', (cb) => members.create(second, { action: 'join', user_id: alice.id }, cb));
  out.custom = await call('events.create(custom)', (cb) => events.create(second, { type: 'custom:ping', from: there.id, body: { n: 1 } }, cb));
  const firstOfAlice = await call('users.getConversations', (cb) => users.getConversations(alice.id, { page_size: 1 }, cb));
  out.aliceConversationPages = (await allPages('users', firstOfAlice, (page, cb) => users.next(page, cb))).map((page) =>
    page._embedded.conversations.map((c) => c.name),
  );
  const firstConversations = await call('conversations.get(query)', (cb) => conversations.get({ page_size: 1 }, cb));
  out.conversationPages = (await allPages('conversations', firstConversations, (page, cb) => conversations.next(page, cb))).map((page) =>
    page._embedded.conversations.map((c) => c.name),
  );

  await call('members.delete', (cb) => members.delete(id, out.invited.id, cb));
  await call('conversations.delete', (cb) => conversations.delete(id, cb));
  try {
    await call('conversations.get(id) after delete', (cb) => conversations.get(id, cb));
    out.afterDelete = 'found';
  } catch (error) {
    calls.pop();
    out.afterDelete = error.nexmo;
  }
  out.bob = bob.id;
  const dave = await call('users.create', (cb) => users.create({ name: 'dave', display_name: 'Dave' }, cb));
  out.updatedUser = await call('users.update', (cb) =>
    users.update(dave.id, { display_name: 'Dave D.', image_url: 'https://img.example/dave.png', properties: { custom_data: { plan: 'pro' } } }, cb),
  );
  await call('users.delete', (cb) => users.delete(dave.id, cb));
  try {
    await call('users.get(id) after delete', (cb) => users.get(dave.id, cb));
    out.afterUserDelete = 'found';
  } catch (error) {
    calls.pop();
    out.afterUserDelete = error.nexmo;
  }
  return out;
}

main().then(
  (out) => process.stdout.write(`${JSON.stringify({ ok: true, out, calls })}\n`),
  (error) => process.stdout.write(`${JSON.stringify({ ok: false, error: String(error.stack ?? error), calls })}\n`),
);
