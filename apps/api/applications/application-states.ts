import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded } from '../../../libs/command-pipeline/stream-state-cache';
import { applicationDecider, type ApplicationState } from '../../../libs/domain/applications/application.decider';
import { streams } from '../../../libs/domain/streams';

/** Applications' decision state (the public key a token is checked with), a cached fold of `application-<id>`. */
@Injectable()
export class ApplicationStates {
  constructor(private readonly pipeline: CommandPipeline) {}

  load(applicationId: string): Promise<Loaded<ApplicationState>> {
    return this.pipeline.states(applicationDecider).load(streams.application(applicationId));
  }
}
