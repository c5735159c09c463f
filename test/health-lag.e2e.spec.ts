import { createEventStore, createReadStore, withPersonalData } from '../libs/wiring/stores';
import { Projector } from '../libs/projection/projector';
import { parleyProjections } from '../projections';
import { ParleyHarness } from './support/parley-app';

interface ProjectionHealthBody {
  name: string;
  state: string;
  eventsBehind: number;
  secondsBehind: number;
}

/**
 * With PROJECTOR=external and no projector running, nothing projects: the
 * read models fall behind by exactly the events written, with no timing in it.
 */
describe('/health reports how far each read model trails the log', () => {
  const LIMIT = 3;
  let parley: ParleyHarness;

  beforeAll(async () => {
    parley = await ParleyHarness.start({ PROJECTOR: 'external', HEALTH_MAX_LAG_EVENTS: String(LIMIT) });
  });
  afterAll(async () => {
    await parley.stop();
  });

  it('degrades past HEALTH_MAX_LAG_EVENTS, naming the lagging read models, and recovers once they catch up', async () => {
    for (let i = 0; i < 3; i++) await parley.http().post('/v1/users').send({ username: `lagging${i}`, password: 'correct horse battery' }).expect(201);

    const behind = await parley.http().get('/health');
    expect(behind.status).toBe(503);
    expect(behind.body.status).toBe('degraded');
    expect(behind.body.lagging).toEqual(parleyProjections.map((p) => p.name));
    expect(behind.body.failed).toBeUndefined();
    for (const projection of behind.body.readModels.projections as ProjectionHealthBody[]) {
      expect(projection).toMatchObject({ state: 'running', eventsBehind: LIMIT + 1 });
      expect(projection.secondsBehind).toBeGreaterThanOrEqual(0);
    }

    // A projector (as apps/projector would) catches up over the same files.
    const events = withPersonalData(parley.config, createEventStore(parley.config));
    const reads = createReadStore(parley.config);
    try {
      await new Projector(events, reads, parleyProjections).catchUp();
    } finally {
      await events.close();
      await reads.close();
    }

    const caughtUp = await parley.http().get('/health').expect(200);
    expect(caughtUp.body.status).toBe('ok');
    expect(caughtUp.body.readModels.position).toBe(caughtUp.body.eventStore.head);
    for (const projection of caughtUp.body.readModels.projections as ProjectionHealthBody[]) {
      expect(projection).toMatchObject({ state: 'running', eventsBehind: 0, secondsBehind: 0 });
    }
  });
});
