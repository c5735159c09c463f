import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { notFound } from '../../../libs/domain/errors';
import type { GroupFieldsChange, OrgCommand, PolicySource } from '../../../libs/domain/org/org.decider';

/** What a group change names, for the surfaces that translate to it. */
export type { GroupFieldsChange };
import { UserStates } from '../users/user-states';
import { ExecuteOrgCommand } from './org-command.command';
import { groupView, policyView, type GroupView, type PolicyView } from './org-views';

export interface GroupResult {
  readonly group: GroupView | null;
  readonly position: string | null;
}
export interface PolicyResult {
  readonly policy: PolicyView | null;
  readonly position: string | null;
}
export interface OrgWriteResult {
  readonly written: number;
  readonly position: string | null;
}

type Base = { readonly actor: string; readonly now: string };
type WithoutBase<C> = C extends unknown ? Omit<C, keyof Base> : never;

/**
 * The organisation's commands and the views their answers carry, for Parley's
 * admin routes and the Trillian surface alike: one path to the decider.
 */
@Injectable()
export class OrgAdmin {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserStates,
  ) {}

  private run(command: WithoutBase<OrgCommand>, context: CommandContext) {
    return this.commands.execute(new ExecuteOrgCommand({ ...command, actor: context.actor, now: new Date().toISOString() } as OrgCommand, context));
  }

  async createGroup(fields: GroupFieldsChange & { readonly displayName: string }, context: CommandContext): Promise<GroupResult> {
    const { events, state, position } = await this.run({ type: 'CreateGroup', fields }, context);
    const created = events[0];
    const group = created?.type === 'OrgGroupCreated' ? state.groups.get(created.data.groupId) : undefined;
    return { group: group ? groupView(group) : null, position };
  }

  async changeGroup(groupId: number, fields: GroupFieldsChange, context: CommandContext): Promise<GroupResult> {
    const { state, position } = await this.run({ type: 'ChangeGroup', groupId, fields }, context);
    const group = state.groups.get(groupId);
    return { group: group ? groupView(group) : null, position };
  }

  async deleteGroup(groupId: number, context: CommandContext): Promise<GroupResult> {
    const { position } = await this.run({ type: 'DeleteGroup', groupId }, context);
    return { group: null, position };
  }

  async peer(groupId: number, peerId: number, context: CommandContext): Promise<GroupResult> {
    const { state, position } = await this.run({ type: 'PeerGroups', groupId, peerId }, context);
    return { group: groupView(state.groups.get(groupId)!), position };
  }

  async unpeer(groupId: number, peerId: number, context: CommandContext): Promise<GroupResult> {
    const { state, position } = await this.run({ type: 'UnpeerGroups', groupId, peerId }, context);
    return { group: groupView(state.groups.get(groupId)!), position };
  }

  async assign(groupId: number, userId: string, context: CommandContext): Promise<OrgWriteResult> {
    if ((await this.users.unknown([userId])).length > 0) {
      throw Object.assign(notFound('USER.NOT_FOUND', `No user ${userId}`), { details: [{ field: 'userId', reason: 'no registered user with this id' }] });
    }
    const { events, position } = await this.run({ type: 'AssignMember', groupId, userId }, context);
    return { written: events.length, position };
  }

  async unassign(groupId: number, userId: string, context: CommandContext): Promise<OrgWriteResult> {
    const { events, position } = await this.run({ type: 'UnassignMember', groupId, userId }, context);
    return { written: events.length, position };
  }

  async definePolicy(name: string, source: PolicySource, context: CommandContext): Promise<PolicyResult> {
    const { events, state, position } = await this.run({ type: 'DefinePolicy', name, source }, context);
    const defined = events[0];
    const policy = defined?.type === 'OrgPolicyDefined' ? state.policies.get(defined.data.policyId) : undefined;
    return { policy: policy ? policyView(policy) : null, position };
  }

  async changePolicy(policyId: number, change: { readonly name?: string; readonly source?: PolicySource }, context: CommandContext): Promise<PolicyResult> {
    const { state, position } = await this.run({ type: 'ChangePolicy', policyId, ...change }, context);
    const policy = state.policies.get(policyId);
    return { policy: policy ? policyView(policy) : null, position };
  }

  async deletePolicy(policyId: number, context: CommandContext): Promise<PolicyResult> {
    const { position } = await this.run({ type: 'DeletePolicy', policyId }, context);
    return { policy: null, position };
  }
}
