import { assertNever, conflict, notFound, validationError, type ErrorDetail } from '../errors';
import type { OrgEvent, OrgGroupFields, ParleyEvent, PolicyItem } from '../events';
import type { Decider } from '../decider';
import { nameCharactersDetail } from '../text';
import { checkPolicyItems, parsePolicyData } from './policy-items';

export interface OrgGroup extends OrgGroupFields {
  readonly groupId: number;
  /** Groups whose members this group's members see, in the order peered. */
  readonly peers: readonly number[];
  readonly members: ReadonlySet<string>;
}
export interface OrgPolicy {
  readonly policyId: number;
  readonly name: string;
  readonly items: readonly PolicyItem[];
}
export interface OrgState {
  readonly lastGroupId: number;
  readonly lastPolicyId: number;
  readonly groups: ReadonlyMap<number, OrgGroup>;
  readonly policies: ReadonlyMap<number, OrgPolicy>;
}

export const initialOrgState: OrgState = { lastGroupId: 0, lastPolicyId: 0, groups: new Map(), policies: new Map() };

export const ORG_NAME_MAX = 200;
export const ORG_GROUPS_MAX = 10_000;
export const ORG_PRIORITY_MAX = 1_000_000;

/** A change names only the fields it sets; the others keep their values. */
export type GroupFieldsChange = { readonly [K in keyof OrgGroupFields]?: OrgGroupFields[K] };
/** A policy's items as Trillian's base64 `data` or as Parley's key/value object. */
export type PolicySource = { readonly data: string } | { readonly items: Readonly<Record<string, string>> };

type Base = { readonly actor: string; readonly now: string };
export type OrgCommand =
  | (Base & { readonly type: 'CreateGroup'; readonly fields: GroupFieldsChange & { readonly displayName: string } })
  | (Base & { readonly type: 'ChangeGroup'; readonly groupId: number; readonly fields: GroupFieldsChange })
  | (Base & { readonly type: 'DeleteGroup'; readonly groupId: number })
  | (Base & { readonly type: 'PeerGroups'; readonly groupId: number; readonly peerId: number })
  | (Base & { readonly type: 'UnpeerGroups'; readonly groupId: number; readonly peerId: number })
  | (Base & { readonly type: 'AssignMember'; readonly groupId: number; readonly userId: string })
  | (Base & { readonly type: 'UnassignMember'; readonly groupId: number; readonly userId: string })
  | (Base & { readonly type: 'DefinePolicy'; readonly name: string; readonly source: PolicySource })
  | (Base & { readonly type: 'ChangePolicy'; readonly policyId: number; readonly name?: string; readonly source?: PolicySource })
  | (Base & { readonly type: 'DeletePolicy'; readonly policyId: number });

export function evolveOrg(state: OrgState, event: OrgEvent): OrgState {
  switch (event.type) {
    case 'OrgGroupCreated':
    case 'OrgGroupChanged': {
      const { groupId, displayName, name, parentId, policyId, priority, ldap } = event.data;
      const before = state.groups.get(groupId);
      const groups = new Map(state.groups);
      groups.set(groupId, {
        groupId,
        displayName,
        name,
        parentId,
        policyId,
        priority,
        ldap,
        peers: before?.peers ?? [],
        members: before?.members ?? new Set(),
      });
      return { ...state, groups, lastGroupId: Math.max(state.lastGroupId, groupId) };
    }
    case 'OrgGroupDeleted': {
      const groups = new Map(state.groups);
      groups.delete(event.data.groupId);
      for (const [id, group] of groups) {
        if (group.peers.includes(event.data.groupId)) groups.set(id, { ...group, peers: group.peers.filter((p) => p !== event.data.groupId) });
      }
      return { ...state, groups };
    }
    case 'OrgGroupsPeered':
      return withGroup(state, event.data.groupId, (g) => ({ ...g, peers: [...g.peers, event.data.peerId] }));
    case 'OrgGroupsUnpeered':
      return withGroup(state, event.data.groupId, (g) => ({ ...g, peers: g.peers.filter((p) => p !== event.data.peerId) }));
    case 'OrgMemberAssigned':
      return withGroup(state, event.data.groupId, (g) => ({ ...g, members: new Set([...g.members, event.data.userId]) }));
    case 'OrgMemberUnassigned':
      return withGroup(state, event.data.groupId, (g) => {
        const members = new Set(g.members);
        members.delete(event.data.userId);
        return { ...g, members };
      });
    case 'OrgPolicyDefined':
    case 'OrgPolicyChanged': {
      const policies = new Map(state.policies);
      policies.set(event.data.policyId, { policyId: event.data.policyId, name: event.data.name, items: event.data.items });
      return { ...state, policies, lastPolicyId: Math.max(state.lastPolicyId, event.data.policyId) };
    }
    case 'OrgPolicyDeleted': {
      const policies = new Map(state.policies);
      policies.delete(event.data.policyId);
      return { ...state, policies };
    }
    default:
      return assertNever(event, 'organisation event');
  }
}

function withGroup(state: OrgState, groupId: number, change: (g: OrgGroup) => OrgGroup): OrgState {
  const group = state.groups.get(groupId);
  if (!group) return state;
  const groups = new Map(state.groups);
  groups.set(groupId, change(group));
  return { ...state, groups };
}

export function requireGroup(state: OrgState, groupId: number, field = 'group'): OrgGroup {
  const group = state.groups.get(groupId);
  if (!group) throw withField(notFound('ORG.GROUP_NOT_FOUND', `No group ${groupId}`), field);
  return group;
}

export function requirePolicy(state: OrgState, policyId: number, field = 'policy'): OrgPolicy {
  const policy = state.policies.get(policyId);
  if (!policy) throw withField(notFound('ORG.POLICY_NOT_FOUND', `No policy ${policyId}`), field);
  return policy;
}

/** A 404 that still names the field it came from, as a 400 does. */
function withField(error: ReturnType<typeof notFound>, field: string) {
  return Object.assign(error, { details: [{ field, reason: error.message.toLowerCase() }] });
}

export function decideOrg(command: OrgCommand, state: OrgState): OrgEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      return createGroup(command, state);
    case 'ChangeGroup':
      return changeGroup(command, state);
    case 'DeleteGroup':
      return deleteGroup(command, state);
    case 'PeerGroups':
      return peer(command, state);
    case 'UnpeerGroups':
      return unpeer(command, state);
    case 'AssignMember': {
      const group = requireGroup(state, command.groupId);
      if (group.members.has(command.userId)) return [];
      return [
        {
          type: 'OrgMemberAssigned',
          data: { groupId: group.groupId, userId: command.userId, assignedBy: command.actor, assignedAt: command.now },
        },
      ];
    }
    case 'UnassignMember': {
      const group = requireGroup(state, command.groupId);
      if (!group.members.has(command.userId)) {
        throw Object.assign(notFound('ORG.MEMBER_NOT_FOUND', 'That user is not a member of this group'), {
          details: [{ field: 'userId', reason: 'is not a member of this group' }],
        });
      }
      return [
        {
          type: 'OrgMemberUnassigned',
          data: { groupId: group.groupId, userId: command.userId, unassignedBy: command.actor, unassignedAt: command.now },
        },
      ];
    }
    case 'DefinePolicy':
      return definePolicy(command, state);
    case 'ChangePolicy':
      return changePolicy(command, state);
    case 'DeletePolicy': {
      requirePolicy(state, command.policyId);
      const bound = [...state.groups.values()].filter((g) => g.policyId === command.policyId).map((g) => g.groupId);
      if (bound.length > 0) {
        throw conflict('ORG.POLICY_IN_USE', `Policy ${command.policyId} is bound to groups ${bound.join(', ')}; bind them elsewhere first`);
      }
      return [{ type: 'OrgPolicyDeleted', data: { policyId: command.policyId, deletedBy: command.actor, deletedAt: command.now } }];
    }
    default:
      return assertNever(command, 'organisation command');
  }
}

function createGroup(command: Extract<OrgCommand, { type: 'CreateGroup' }>, state: OrgState): OrgEvent[] {
  if (state.groups.size >= ORG_GROUPS_MAX) {
    throw validationError('ORG.TOO_MANY_GROUPS', `An organisation holds at most ${ORG_GROUPS_MAX} groups`, [
      { field: 'name', reason: `at most ${ORG_GROUPS_MAX} groups` },
    ]);
  }
  const groupId = state.lastGroupId + 1;
  const fields: OrgGroupFields = {
    displayName: command.fields.displayName,
    // Trillian lets the internal name default to something unique; the id is.
    name: command.fields.name ?? `group-${groupId}`,
    parentId: command.fields.parentId ?? null,
    policyId: command.fields.policyId ?? null,
    priority: command.fields.priority ?? 0,
    ldap: command.fields.ldap ?? false,
  };
  checkGroup(state, groupId, fields);
  return [{ type: 'OrgGroupCreated', data: { groupId, ...fields, createdBy: command.actor, createdAt: command.now } }];
}

function changeGroup(command: Extract<OrgCommand, { type: 'ChangeGroup' }>, state: OrgState): OrgEvent[] {
  const group = requireGroup(state, command.groupId);
  const given = Object.fromEntries(Object.entries(command.fields).filter(([, v]) => v !== undefined)) as GroupFieldsChange;
  const fields: OrgGroupFields = {
    displayName: group.displayName,
    name: group.name,
    parentId: group.parentId,
    policyId: group.policyId,
    priority: group.priority,
    ldap: group.ldap,
    ...given,
  };
  checkGroup(state, group.groupId, fields);
  const same = (Object.keys(fields) as (keyof OrgGroupFields)[]).every((key) => fields[key] === group[key]);
  if (same) return [];
  return [{ type: 'OrgGroupChanged', data: { groupId: group.groupId, ...fields, changedBy: command.actor, changedAt: command.now } }];
}

function checkGroup(state: OrgState, groupId: number, fields: OrgGroupFields): void {
  const details: ErrorDetail[] = [];
  for (const field of ['displayName', 'name'] as const) {
    const value = fields[field];
    if (value.trim() === '' || value.length > ORG_NAME_MAX) details.push({ field, reason: `must be 1 to ${ORG_NAME_MAX} characters` });
    else {
      const bad = nameCharactersDetail(value, field);
      if (bad) details.push(bad);
    }
  }
  if (!Number.isInteger(fields.priority) || Math.abs(fields.priority) > ORG_PRIORITY_MAX) {
    details.push({ field: 'priority', reason: `must be an integer between -${ORG_PRIORITY_MAX} and ${ORG_PRIORITY_MAX}` });
  }
  if (details.length > 0) throw validationError('ORG.GROUP_INVALID', details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  const clash = [...state.groups.values()].find((g) => g.groupId !== groupId && g.name === fields.name);
  if (clash) {
    throw validationError('ORG.GROUP_NAME_TAKEN', `Group ${clash.groupId} has the name ${fields.name}`, [
      { field: 'name', reason: `group ${clash.groupId} has this name` },
    ]);
  }
  if (fields.policyId !== null) requirePolicy(state, fields.policyId);
  if (fields.parentId !== null) {
    requireGroup(state, fields.parentId, 'parent');
    // Walk up from the new parent: meeting the group itself means it would be its own ancestor.
    const seen = new Set<number>();
    for (let at: number | null = fields.parentId; at !== null; at = state.groups.get(at)?.parentId ?? null) {
      if (at === groupId) {
        throw validationError('ORG.GROUP_CYCLE', `Group ${groupId} cannot be its own ancestor`, [
          { field: 'parent', reason: `group ${fields.parentId} is group ${groupId} or one of its descendants` },
        ]);
      }
      if (seen.has(at)) break;
      seen.add(at);
    }
  }
}

function deleteGroup(command: Extract<OrgCommand, { type: 'DeleteGroup' }>, state: OrgState): OrgEvent[] {
  const group = requireGroup(state, command.groupId);
  const children = [...state.groups.values()].filter((g) => g.parentId === group.groupId).map((g) => g.groupId);
  if (children.length > 0) {
    throw conflict('ORG.GROUP_HAS_CHILDREN', `Group ${group.groupId} is the parent of groups ${children.join(', ')}; move or delete them first`);
  }
  return [{ type: 'OrgGroupDeleted', data: { groupId: group.groupId, deletedBy: command.actor, deletedAt: command.now } }];
}

function peer(command: Extract<OrgCommand, { type: 'PeerGroups' }>, state: OrgState): OrgEvent[] {
  const group = requireGroup(state, command.groupId);
  requireGroup(state, command.peerId, 'peer');
  if (group.peers.includes(command.peerId)) {
    throw validationError('ORG.ALREADY_PEERED', `Group ${command.peerId} is already a peer of group ${group.groupId}`, [
      { field: 'peer', reason: `is already a peer of group ${group.groupId}` },
    ]);
  }
  return [
    { type: 'OrgGroupsPeered', data: { groupId: group.groupId, peerId: command.peerId, peeredBy: command.actor, peeredAt: command.now } },
  ];
}

function unpeer(command: Extract<OrgCommand, { type: 'UnpeerGroups' }>, state: OrgState): OrgEvent[] {
  const group = requireGroup(state, command.groupId);
  if (!group.peers.includes(command.peerId)) {
    throw Object.assign(notFound('ORG.PEER_NOT_FOUND', `Group ${command.peerId} is not a peer of group ${group.groupId}`), {
      details: [{ field: 'peer', reason: `is not a peer of group ${group.groupId}` }],
    });
  }
  return [
    {
      type: 'OrgGroupsUnpeered',
      data: { groupId: group.groupId, peerId: command.peerId, unpeeredBy: command.actor, unpeeredAt: command.now },
    },
  ];
}

function policyItems(source: PolicySource): PolicyItem[] {
  return 'data' in source ? parsePolicyData(source.data, 'data') : checkPolicyItems(Object.entries(source.items), 'items');
}

function checkPolicyName(name: string): void {
  const bad = name.trim() === '' || name.length > ORG_NAME_MAX ? { field: 'name', reason: `must be 1 to ${ORG_NAME_MAX} characters` } : nameCharactersDetail(name, 'name');
  if (bad) throw validationError('POLICY.INVALID', `${bad.field} ${bad.reason}`, [bad]);
}

function definePolicy(command: Extract<OrgCommand, { type: 'DefinePolicy' }>, state: OrgState): OrgEvent[] {
  checkPolicyName(command.name);
  const items = policyItems(command.source);
  return [
    {
      type: 'OrgPolicyDefined',
      data: { policyId: state.lastPolicyId + 1, name: command.name, items, definedBy: command.actor, definedAt: command.now },
    },
  ];
}

function changePolicy(command: Extract<OrgCommand, { type: 'ChangePolicy' }>, state: OrgState): OrgEvent[] {
  const policy = requirePolicy(state, command.policyId);
  if (command.name !== undefined) checkPolicyName(command.name);
  const items = command.source === undefined ? policy.items : policyItems(command.source);
  const name = command.name ?? policy.name;
  const sameItems = items.length === policy.items.length && items.every((item, i) => item.key === policy.items[i]?.key && item.value === policy.items[i]?.value);
  if (name === policy.name && sameItems) return [];
  return [{ type: 'OrgPolicyChanged', data: { policyId: policy.policyId, name, items, changedBy: command.actor, changedAt: command.now } }];
}

const ORG_EVENTS: ReadonlySet<string> = new Set<OrgEvent['type']>([
  'OrgGroupCreated',
  'OrgGroupChanged',
  'OrgGroupDeleted',
  'OrgGroupsPeered',
  'OrgGroupsUnpeered',
  'OrgMemberAssigned',
  'OrgMemberUnassigned',
  'OrgPolicyDefined',
  'OrgPolicyChanged',
  'OrgPolicyDeleted',
]);
export const isOrgEvent = (event: ParleyEvent): event is OrgEvent => ORG_EVENTS.has(event.type);

/** The organisation, stream `org`. */
export const orgDecider: Decider<OrgCommand, OrgState, OrgEvent> = {
  initialState: initialOrgState,
  evolve: (state, event) => (isOrgEvent(event) ? evolveOrg(state, event) : state),
  decide: decideOrg,
};

/** The groups a user belongs to, by id. */
export const groupsOf = (state: OrgState, userId: string): OrgGroup[] =>
  [...state.groups.values()].filter((g) => g.members.has(userId));
