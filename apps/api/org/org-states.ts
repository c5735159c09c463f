import { Injectable } from '@nestjs/common';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import type { Loaded, StreamStateCache } from '../../../libs/command-pipeline/stream-state-cache';
import { cloudHistoryOff, effectivePolicy, type EffectiveItem } from '../../../libs/domain/org/effective-policy';
import { groupsOf, orgDecider, type OrgState } from '../../../libs/domain/org/org.decider';
import { streams } from '../../../libs/domain/streams';

/**
 * The organisation's decision state, folded from `org` (cached; a load reads
 * only new events). Policies are enforced from here, never from a read
 * model, so a policy change binds the next request, as a block does.
 */
@Injectable()
export class OrgStates {
  private readonly cache: StreamStateCache<OrgState>;

  constructor(pipeline: CommandPipeline) {
    this.cache = pipeline.states(orgDecider);
  }

  load(): Promise<Loaded<OrgState>> {
    return this.cache.load(streams.org());
  }

  /** The user's effective policy (precedence: libs/domain/org/effective-policy.ts). */
  async policyOf(userId: string): Promise<EffectiveItem[]> {
    const { state } = await this.load();
    return effectivePolicy(state, groupsOf(state, userId));
  }

  /** Whether the server keeps the user's history beyond the session (`trillian.history.cloud`). */
  async keepsHistoryOf(userId: string): Promise<boolean> {
    return !cloudHistoryOff(await this.policyOf(userId));
  }
}
