import type { OrgEvent, OrgGroupFields } from '../events';
import { deciderSpec } from '../testing/given-when-then';
import { effectivePolicy, cloudHistoryOff, historyServedFrom } from './effective-policy';
import { decideOrg, evolveOrg, groupsOf, initialOrgState, type OrgCommand, type OrgState } from './org.decider';
import { parsePolicyData, policyData } from './policy-items';

const { given, fold } = deciderSpec<OrgCommand, OrgEvent, OrgState>({
  initialState: initialOrgState,
  evolve: evolveOrg,
  decide: decideOrg,
});

const ADMIN = 'apikey:admin';
const NOW = '2026-01-05T10:00:00.000Z';
const base = { actor: ADMIN, now: NOW };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const fields = (over: Partial<OrgGroupFields> = {}): OrgGroupFields => ({
  displayName: 'Sales',
  name: 'sales',
  parentId: null,
  policyId: null,
  priority: 0,
  ldap: false,
  ...over,
});
const created = (groupId: number, over: Partial<OrgGroupFields> = {}): OrgEvent => ({
  type: 'OrgGroupCreated',
  data: { groupId, ...fields({ name: `g${groupId}`, ...over }), createdBy: ADMIN, createdAt: NOW },
});
const policy = (policyId: number, text: string): OrgEvent => ({
  type: 'OrgPolicyDefined',
  data: { policyId, name: `p${policyId}`, items: parsePolicyData(b64(text)), definedBy: ADMIN, definedAt: NOW },
});
const assigned = (groupId: number, userId: string): OrgEvent => ({
  type: 'OrgMemberAssigned',
  data: { groupId, userId, assignedBy: ADMIN, assignedAt: NOW },
});

describe('organisation decider: groups', () => {
  it('creates groups with ids in order and defaults for what is not given', () => {
    given([created(1)])
      .when({ ...base, type: 'CreateGroup', fields: { displayName: 'Sales' } })
      .then([{ type: 'OrgGroupCreated', data: { groupId: 2, ...fields({ name: 'group-2' }), createdBy: ADMIN, createdAt: NOW } }]);
  });

  it('does not reuse the id of a deleted group', () => {
    const deleted: OrgEvent = { type: 'OrgGroupDeleted', data: { groupId: 1, deletedBy: ADMIN, deletedAt: NOW } };
    given([created(1), deleted])
      .when({ ...base, type: 'CreateGroup', fields: { displayName: 'X', name: 'x' } })
      .then([{ type: 'OrgGroupCreated', data: { groupId: 2, ...fields({ displayName: 'X', name: 'x' }), createdBy: ADMIN, createdAt: NOW } }]);
  });

  it('refuses a name another group has, naming the field', () => {
    const error = given([created(1)]).when({ ...base, type: 'CreateGroup', fields: { displayName: 'X', name: 'g1' } }).thenThrows('ORG.GROUP_NAME_TAKEN', 'validation');
    expect(error.details).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it('refuses a parent or policy that does not exist', () => {
    given([]).when({ ...base, type: 'CreateGroup', fields: { displayName: 'X', parentId: 9 } }).thenThrows('ORG.GROUP_NOT_FOUND', 'not_found');
    given([]).when({ ...base, type: 'CreateGroup', fields: { displayName: 'X', policyId: 9 } }).thenThrows('ORG.POLICY_NOT_FOUND', 'not_found');
  });

  it('refuses making a group its own ancestor, directly or through a descendant', () => {
    const history = [created(1), created(2, { parentId: 1 }), created(3, { parentId: 2 })];
    given(history).when({ ...base, type: 'ChangeGroup', groupId: 1, fields: { parentId: 1 } }).thenThrows('ORG.GROUP_CYCLE', 'validation');
    const error = given(history).when({ ...base, type: 'ChangeGroup', groupId: 1, fields: { parentId: 3 } }).thenThrows('ORG.GROUP_CYCLE', 'validation');
    expect(error.details).toEqual([expect.objectContaining({ field: 'parent' })]);
  });

  it('changes only the fields named, and answers nothing when nothing changes', () => {
    given([created(1)])
      .when({ ...base, type: 'ChangeGroup', groupId: 1, fields: { displayName: 'Marketing', priority: undefined } })
      .then([{ type: 'OrgGroupChanged', data: { groupId: 1, ...fields({ name: 'g1', displayName: 'Marketing' }), changedBy: ADMIN, changedAt: NOW } }]);
    given([created(1)]).when({ ...base, type: 'ChangeGroup', groupId: 1, fields: { name: 'g1' } }).then([]);
  });

  it('refuses deleting a parent; deleting a group ends its peerings', () => {
    given([created(1), created(2, { parentId: 1 })]).when({ ...base, type: 'DeleteGroup', groupId: 1 }).thenThrows('ORG.GROUP_HAS_CHILDREN', 'conflict');
    const peered: OrgEvent = { type: 'OrgGroupsPeered', data: { groupId: 1, peerId: 2, peeredBy: ADMIN, peeredAt: NOW } };
    const state = fold([created(1), created(2), peered, { type: 'OrgGroupDeleted', data: { groupId: 2, deletedBy: ADMIN, deletedAt: NOW } }]);
    expect(state.groups.get(1)?.peers).toEqual([]);
  });
});

describe('organisation decider: peers and members', () => {
  const peered = (groupId: number, peerId: number): OrgEvent => ({ type: 'OrgGroupsPeered', data: { groupId, peerId, peeredBy: ADMIN, peeredAt: NOW } });

  it('peers a group with another and with itself, once each', () => {
    given([created(1), created(2)]).when({ ...base, type: 'PeerGroups', groupId: 1, peerId: 2 }).then([peered(1, 2)]);
    given([created(1)]).when({ ...base, type: 'PeerGroups', groupId: 1, peerId: 1 }).then([peered(1, 1)]);
    const error = given([created(1), peered(1, 1)]).when({ ...base, type: 'PeerGroups', groupId: 1, peerId: 1 }).thenThrows('ORG.ALREADY_PEERED', 'validation');
    expect(error.details).toEqual([expect.objectContaining({ field: 'peer' })]);
  });

  it('refuses a peer that does not exist, and unpeering what is not peered', () => {
    given([created(1)]).when({ ...base, type: 'PeerGroups', groupId: 1, peerId: 7 }).thenThrows('ORG.GROUP_NOT_FOUND', 'not_found');
    given([created(1)]).when({ ...base, type: 'UnpeerGroups', groupId: 1, peerId: 1 }).thenThrows('ORG.PEER_NOT_FOUND', 'not_found');
  });

  it('assigns a user once and unassigns a member', () => {
    given([created(1)]).when({ ...base, type: 'AssignMember', groupId: 1, userId: 'u1' }).then([assigned(1, 'u1')]);
    given([created(1), assigned(1, 'u1')]).when({ ...base, type: 'AssignMember', groupId: 1, userId: 'u1' }).then([]);
    given([created(1), assigned(1, 'u1')])
      .when({ ...base, type: 'UnassignMember', groupId: 1, userId: 'u1' })
      .then([{ type: 'OrgMemberUnassigned', data: { groupId: 1, userId: 'u1', unassignedBy: ADMIN, unassignedAt: NOW } }]);
    given([created(1)]).when({ ...base, type: 'UnassignMember', groupId: 1, userId: 'u1' }).thenThrows('ORG.MEMBER_NOT_FOUND', 'not_found');
  });
});

describe('organisation decider: policies', () => {
  const seedData =
    'dHJpbGxpYW4uaGlzdG9yeS5jbG91ZCAxCnRyaWxsaWFuLmhpc3RvcnkuZGlzY2xhaW1lci5mcmVxdWVuY3kgMTQ0MAp0cmlsbGlhbi5zZXR0aW5ncy5jb250YWN0cy5ncm91cHMgc2VydmVyCg==';

  it("parses the seed's base64 data into items, and renders the same data back", () => {
    const items = parsePolicyData(` ${seedData} `);
    expect(items).toEqual([
      { key: 'trillian.history.cloud', value: '1' },
      { key: 'trillian.history.disclaimer.frequency', value: '1440' },
      { key: 'trillian.settings.contacts.groups', value: 'server' },
    ]);
    expect(policyData(items)).toBe(seedData);
  });

  it('defines a policy from data or from items', () => {
    given([]).when({ ...base, type: 'DefinePolicy', name: 'IT', source: { items: { 'trillian.history.cloud': '0' } } }).then([
      { type: 'OrgPolicyDefined', data: { policyId: 1, name: 'IT', items: [{ key: 'trillian.history.cloud', value: '0' }], definedBy: ADMIN, definedAt: NOW } },
    ]);
  });

  it('refuses data that is not base64, and lines that are not "key value", naming data', () => {
    const notBase64 = given([]).when({ ...base, type: 'DefinePolicy', name: 'x', source: { data: 'not base64!' } }).thenThrows('POLICY.INVALID', 'validation');
    expect(notBase64.details).toEqual([{ field: 'data', reason: 'is not base64' }]);
    const notPairs = given([]).when({ ...base, type: 'DefinePolicy', name: 'x', source: { data: b64('a.b 1\njustakey\n') } }).thenThrows('POLICY.INVALID', 'validation');
    expect(notPairs.details).toEqual([{ field: 'data', reason: 'line 2 is not "key value"' }]);
    given([]).when({ ...base, type: 'DefinePolicy', name: 'x', source: { data: b64('a 1\na 2\n') } }).thenThrows('POLICY.INVALID', 'validation');
  });

  it('refuses deleting a policy a group is bound to', () => {
    given([policy(1, 'a 1\n'), created(1, { policyId: 1 })]).when({ ...base, type: 'DeletePolicy', policyId: 1 }).thenThrows('ORG.POLICY_IN_USE', 'conflict');
  });
});

describe('effective policy', () => {
  it('takes each key from the highest-priority group, then the nearer ancestor', () => {
    const state = fold([
      policy(1, 'trillian.history.cloud 1\ntrillian.filetransfer server\nx.root 1\n'),
      policy(2, 'trillian.history.cloud 0\n'),
      policy(3, 'trillian.filetransfer 0\ntrillian.history.cloud 1\n'),
      created(1, { policyId: 1 }),
      created(2, { parentId: 1, policyId: 2 }),
      created(3, { policyId: 3, priority: -1 }),
      assigned(2, 'u1'),
      assigned(3, 'u1'),
    ]);
    const items = effectivePolicy(state, groupsOf(state, 'u1'));
    expect(items.map(({ key, value, groupId }) => ({ key, value, groupId }))).toEqual([
      { key: 'trillian.filetransfer', value: 'server', groupId: 1 },
      { key: 'trillian.history.cloud', value: '0', groupId: 2 },
      { key: 'x.root', value: '1', groupId: 1 },
    ]);
    expect(cloudHistoryOff(items)).toBe(true);
  });
});

describe('history served back under trillian.history.cloud', () => {
  it('serves everything unless cloud history is off, then only from the sign-in on (nothing without one)', () => {
    expect(historyServedFrom([{ key: 'trillian.history.cloud', value: '1' }], NOW)).toBeNull();
    expect(historyServedFrom([], NOW)).toBeNull();
    expect(historyServedFrom([{ key: 'trillian.history.cloud', value: '0' }], NOW)).toBe(NOW);
    expect(historyServedFrom([{ key: 'trillian.history.cloud', value: '0' }], null)).toBe('9999-12-31T23:59:59.999Z');
  });
});
