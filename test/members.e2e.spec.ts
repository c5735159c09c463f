import { ParleyHarness, type TestUser } from './support/parley-app';

describe('member profiles, search by keyword and by place, feedback (issue #17)', () => {
  let parley: ParleyHarness;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let hidden: TestUser;

  const profile = async (user: TestUser, body: Record<string, unknown>) => {
    const res = await parley.http().put('/v1/me/member-profile').set(user.auth).send(body);
    expect(res.status).toBe(200);
    return res.body as { position: string | null; profile: Record<string, unknown> };
  };

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    alice = await parley.user('alice', 'Alice');
    bob = await parley.user('bob', 'Bob');
    carol = await parley.user('carol', 'Carol');
    hidden = await parley.user('hidden', 'Hidden');
    // Lyon centre, Villeurbanne (a few km away), Paris (far), and a Lyon member who is not findable.
    await profile(alice, { fullName: 'Alice Martin', city: 'Lyon', country: 'fr', latitude: 45.764, longitude: 4.8357, findable: true, offers: { maxGuests: 2, bed: true, shower: true } });
    await profile(bob, { fullName: 'Bob Durand', city: 'Villeurbanne', country: 'fr', latitude: 45.7719, longitude: 4.8902, findable: true });
    await profile(carol, { fullName: 'Carol Petit', city: 'Paris', country: 'fr', latitude: 48.8566, longitude: 2.3522, findable: true });
    await profile(hidden, { fullName: 'Hidden Lyon', city: 'Lyon', country: 'fr', latitude: 45.76, longitude: 4.84, findable: false });
    await parley.settled();
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('shows a member’s host profile to signed-in members, by id and by username, rounding coordinates to the precision chosen', async () => {
    const written = await profile(alice, { coordinatePrecision: 2, languagesSpoken: 'English, Français', availability: { notCurrentlyAvailable: true, becomeAvailable: '2030-05-01' } });
    expect(written.profile).toMatchObject({ latitude: 45.76, longitude: 4.84, coordinatePrecision: 2 });
    const byId = await parley.http().get(`/v1/users/${alice.id}`).set(bob.auth).set('X-Min-Position', written.position!);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({
      userId: alice.id,
      username: alice.username,
      displayName: 'Alice',
      profile: {
        fullName: 'Alice Martin',
        city: 'Lyon',
        languagesSpoken: 'English, Français',
        latitude: 45.76,
        availability: { notCurrentlyAvailable: true, becomeAvailable: '2030-05-01' },
        offers: { maxGuests: 2, bed: true, shower: true, kitchen: false },
      },
    });
    const byName = await parley.http().get(`/v1/users/by-username/${alice.username.toUpperCase()}`).set(bob.auth);
    expect(byName.status).toBe(200);
    expect(byName.body.userId).toBe(alice.id);
    expect((await parley.http().get(`/v1/users/${alice.id}`)).status).toBe(401);
    const unknown = await parley.http().get('/v1/users/00000000-0000-4000-8000-000000000000').set(bob.auth);
    expect(unknown.status).toBe(404);
  });

  it('hides a member who blocks the viewer: 404 as for an unknown member', async () => {
    const block = await parley.http().post(`/v1/contacts/${hidden.id}/block`).set(carol.auth);
    expect(block.status).toBe(200);
    const seen = await parley.http().get(`/v1/users/${carol.id}`).set(hidden.auth).set('X-Min-Position', block.body.position);
    expect(seen.status).toBe(404);
    expect(seen.body.code).toBe('USER.NOT_FOUND');
    expect((await parley.http().get(`/v1/users/${carol.id}`).set(alice.auth)).status).toBe(200);
  });

  it('leaves members who block the viewer out of search, by area and by keyword, totals and pages included', async () => {
    // Carol (findable, Paris) blocks Hidden in the test above; blocks by list replace too.
    const france = { minLat: 40, maxLat: 52, minLon: -5, maxLon: 9, centerLat: 48.85, centerLon: 2.35 };
    const settled = await parley.http().post(`/v1/contacts/${hidden.id}/block`).set(carol.auth).expect(200);
    const area = await parley.http().get('/v1/users/search').query(france).set(hidden.auth).set('X-Min-Position', settled.body.position ?? '0').expect(200);
    expect(area.body.total).toBe(2);
    expect(area.body.items.map((i: { userId: string }) => i.userId)).toEqual([alice.id, bob.id]);
    const byName = await parley.http().get('/v1/users/search').query({ q: 'petit' }).set(hidden.auth).expect(200);
    expect(byName.body).toMatchObject({ total: 0, items: [] });
    const all = await parley.http().get('/v1/users/search').query({ q: 'a', offset: 0, limit: 1 }).set(hidden.auth).expect(200);
    const everyone = await parley.http().get('/v1/users/search').query({ q: 'a', limit: 100 }).set(alice.auth).expect(200);
    const visible = (everyone.body.items as { userId: string }[]).map((i) => i.userId).filter((id) => id !== carol.id);
    expect(everyone.body.total).toBe(3);
    expect(all.body.total).toBe(2);
    const second = await parley.http().get('/v1/users/search').query({ q: 'a', offset: 1, limit: 1 }).set(hidden.auth).expect(200);
    expect([...all.body.items, ...second.body.items].map((i: { userId: string }) => i.userId)).toEqual(visible.slice(0, 2));
    // Others still find Carol; once she unblocks, so does Hidden.
    expect((await parley.http().get('/v1/users/search').query({ q: 'petit' }).set(alice.auth).expect(200)).body.total).toBe(1);
    const unblocked = await parley.http().post(`/v1/contacts/${hidden.id}/unblock`).set(carol.auth).expect(200);
    const again = await parley.http().get('/v1/users/search').query({ q: 'petit' }).set(hidden.auth).set('X-Min-Position', unblocked.body.position).expect(200);
    expect(again.body.total).toBe(1);
    const replaced = await parley.http().put('/v1/blocked').set(carol.auth).send({ users: [hidden.id] }).expect(200);
    const listed = await parley.http().get('/v1/users/search').query({ q: 'petit' }).set(hidden.auth).set('X-Min-Position', replaced.body.position).expect(200);
    expect(listed.body.total).toBe(0);
    const cleared = await parley.http().put('/v1/blocked').set(carol.auth).send({ users: [] }).expect(200);
    const back = await parley.http().get('/v1/users/search').query({ q: 'petit' }).set(hidden.auth).set('X-Min-Position', cleared.body.position ?? '0').expect(200);
    expect(back.body.total).toBe(1);
  });

  it('finds findable members in a map area, nearest the centre first, with a total', async () => {
    const res = await parley
      .http()
      .get('/v1/users/search')
      .query({ minLat: 45.6, maxLat: 45.9, minLon: 4.7, maxLon: 5.0, centerLat: 45.764, centerLon: 4.8357, limit: 1 })
      .set(carol.auth);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((i: { userId: string }) => i.userId)).toEqual([alice.id]);
    const next = await parley
      .http()
      .get('/v1/users/search')
      .query({ minLat: 45.6, maxLat: 45.9, minLon: 4.7, maxLon: 5.0, centerLat: 45.764, centerLon: 4.8357, offset: 1, limit: 1 })
      .set(carol.auth);
    expect(next.body.items.map((i: { userId: string }) => i.userId)).toEqual([bob.id]);
    expect(next.body.items[0].distanceKm).toBeGreaterThan(3);
    const france = await parley
      .http()
      .get('/v1/users/search')
      .query({ minLat: 40, maxLat: 52, minLon: -5, maxLon: 9, centerLat: 48.85, centerLon: 2.35 })
      .set(alice.auth);
    expect(france.body.items.map((i: { userId: string }) => i.userId)).toEqual([carol.id, alice.id, bob.id].filter((id) => id !== undefined));
  });

  it('finds findable members by keyword in username, full name or city, with a total', async () => {
    const lyon = await parley.http().get('/v1/users/search').query({ q: 'LYON' }).set(bob.auth);
    expect(lyon.status).toBe(200);
    expect(lyon.body).toMatchObject({ total: 1, offset: 0, limit: 20 });
    expect(lyon.body.items[0].userId).toBe(alice.id);
    const durand = await parley.http().get('/v1/users/search').query({ q: 'durand' }).set(alice.auth);
    expect(durand.body.items.map((i: { userId: string }) => i.userId)).toEqual([bob.id]);
    const nobody = await parley.http().get('/v1/users/search').query({ q: 'hidden' }).set(alice.auth);
    expect(nobody.body.total).toBe(0);
  });

  it('refuses coordinates out of range, a box crossing itself, half an area and bad paging with 400 naming the field', async () => {
    const area = { minLat: 45, maxLat: 46, minLon: 4, maxLon: 5, centerLat: 45.5, centerLon: 4.5 };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...area, maxLat: 91 }, 'maxLat'],
      [{ ...area, centerLon: -181 }, 'centerLon'],
      [{ ...area, minLat: 47 }, 'minLat'],
      [{ ...area, minLon: 6 }, 'minLon'],
      [{ minLat: 45, maxLat: 46 }, 'minLon'],
      [{ ...area, q: 'x' }, 'q'],
      [{ ...area, minLat: 'north' }, 'minLat'],
      [{ q: 'x', offset: -1 }, 'offset'],
      [{ q: 'x', limit: 101 }, 'limit'],
      [{ q: 'x', limit: 0 }, 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await parley.http().get('/v1/users/search').query(query).set(alice.auth);
      expect({ status: res.status, fields: res.body.details?.map((d: { field: string }) => d.field) }).toEqual({
        status: 400,
        fields: expect.arrayContaining([field]),
      });
    }
  });

  it('refuses a bad profile with 400 naming the field and writes nothing', async () => {
    const head = (await parley.http().get('/health')).body.eventStore.head;
    const cases: [Record<string, unknown>, string][] = [
      [{ latitude: 95, longitude: 1 }, 'latitude'],
      [{ latitude: 45, longitude: 190 }, 'longitude'],
      [{ coordinatePrecision: 7 }, 'coordinatePrecision'],
      [{ country: 'France' }, 'country'],
      [{ offers: { maxGuests: -1 } }, 'offers.maxGuests'],
      [{ availability: { becomeAvailable: 'soon' } }, 'availability.becomeAvailable'],
      [{ fullName: 'two\nlines' }, 'fullName'],
    ];
    for (const [body, field] of cases) {
      const res = await parley.http().put('/v1/me/member-profile').set(carol.auth).send(body);
      expect({ status: res.status, fields: res.body.details?.map((d: { field: string }) => d.field) }).toEqual({
        status: 400,
        fields: expect.arrayContaining([field]),
      });
    }
    expect((await parley.http().get('/health')).body.eventStore.head).toBe(head);
  });

  it('lists feedback about a member; refuses feedback about oneself and a second piece for one stay with 409', async () => {
    const left = await parley
      .http()
      .post(`/v1/users/${alice.id}/feedback`)
      .set(bob.auth)
      .send({ rating: 'positive', body: 'A wonderful host', stay: '2024-06', relation: 'guest' });
    expect(left.status).toBe(201);
    const list = await parley.http().get(`/v1/users/${alice.id}/feedback`).set(carol.auth).set('X-Min-Position', left.body.position);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: left.body.id, authorId: bob.id, authorUsername: bob.username, rating: 'positive', body: 'A wonderful host', stay: '2024-06', relation: 'guest' }),
    ]);
    const twice = await parley
      .http()
      .post(`/v1/users/${alice.id}/feedback`)
      .set(bob.auth)
      .send({ rating: 'neutral', body: 'again', stay: '2024-06', relation: 'guest' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('FEEDBACK.ALREADY_LEFT');
    const self = await parley
      .http()
      .post(`/v1/users/${bob.id}/feedback`)
      .set(bob.auth)
      .send({ rating: 'positive', body: 'me', stay: '2024-06', relation: 'other' });
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('FEEDBACK.ABOUT_SELF');
    const another = await parley
      .http()
      .post(`/v1/users/${alice.id}/feedback`)
      .set(bob.auth)
      .send({ rating: 'neutral', body: 'Second stay', stay: '2024-07', relation: 'guest' });
    expect(another.status).toBe(201);
    const bad = await parley
      .http()
      .post(`/v1/users/${alice.id}/feedback`)
      .set(bob.auth)
      .send({ rating: 'great', body: 'x', stay: '2024-13', relation: 'guest' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['rating', 'stay']);
  });

  it('finds by keyword through the index as it did by scanning: a word in the middle of a field, a word’s middle, a prefix, across words, and never by a city left behind', async () => {
    const ids = async (q: string, position = '0') => {
      const res = await parley.http().get('/v1/users/search').query({ q, limit: 100 }).set(carol.auth).set('X-Min-Position', position).expect(200);
      expect(res.body.total).toBe(res.body.items.length);
      return (res.body.items as { userId: string }[]).map((i) => i.userId);
    };
    // 'Martin' is the second word of Alice's full name; 'urand' the middle of Bob's family name.
    expect(await ids('Martin')).toEqual([alice.id]);
    expect(await ids('urand')).toEqual([bob.id]);
    expect(await ids('villeur')).toEqual([bob.id]);
    expect(await ids('ice mar')).toEqual([alice.id]);
    // Under three characters the index cannot narrow: the scan answers, with the same meaning.
    expect(await ids('du')).toContain(bob.id);
    expect(await ids('xq')).toEqual([]);

    const dora = await parley.user('dora', 'Dora');
    const there = await profile(dora, { fullName: 'Dora Lefèvre', city: 'Grenoble', country: 'fr', latitude: 45.19, longitude: 5.72, findable: true });
    expect(await ids('renob', there.position!)).toEqual([dora.id]);
    expect(await ids('lefèv')).toEqual([dora.id]);
    const moved = await profile(dora, { city: 'Annecy', latitude: 45.9, longitude: 6.13 });
    expect(await ids('renob', moved.position!)).toEqual([]);
    expect(await ids('annec')).toEqual([dora.id]);
    const hiddenAgain = await profile(dora, { findable: false });
    expect(await ids('annec', hiddenAgain.position!)).toEqual([]);
  });
});
