import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { applicationDecider, type ApplicationState } from '../../../libs/domain/applications/application.decider';
import { streams } from '../../../libs/domain/streams';
import { LogFollower } from '../infrastructure/log-follower';

/**
 * Applications' decision state (the public key a token is checked with), a
 * cached fold of `application-<id>`. Every request of an application asks for
 * it: the live log keeps the pipeline's cached states current, so that costs
 * no read unless this process just changed the application.
 */
@Injectable()
export class ApplicationStates {
  constructor(
    private readonly pipeline: CommandPipeline,
    follower: LogFollower,
  ) {
    const cache = this.pipeline.states(applicationDecider);
    cache.follow(() => follower.live);
    follower.listen(async (events) => cache.advance(events));
  }

  load(applicationId: string): Promise<Loaded<ApplicationState>> {
    return this.pipeline.states(applicationDecider).load(streams.application(applicationId));
  }
}
