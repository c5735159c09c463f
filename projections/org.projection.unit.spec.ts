import type { OrgEvent } from '../libs/domain/events';
import { ORG_GROUPS, ORG_MEMBERS, ORG_POLICIES, orgProjection } from './org.projection';
import { given, thenReplayChangesNothing } from './testing/projection-harness';

const A = 'apikey:admin';
const T = '2026-01-05T10:00:00.000Z';
const group = (groupId: number): OrgEvent => ({
  type: 'OrgGroupCreated',
  data: { groupId, displayName: `G${groupId}`, name: `g${groupId}`, parentId: null, policyId: null, priority: 0, ldap: false, createdBy: A, createdAt: T },
});
const changed: OrgEvent = {
  type: 'OrgGroupChanged',
  data: { groupId: 1, displayName: 'Sales', name: 'sales', parentId: 2, policyId: 1, priority: 5, ldap: true, changedBy: A, changedAt: T },
};
const deleted = (groupId: number): OrgEvent => ({ type: 'OrgGroupDeleted', data: { groupId, deletedBy: A, deletedAt: T } });
const peered = (groupId: number, peerId: number): OrgEvent => ({ type: 'OrgGroupsPeered', data: { groupId, peerId, peeredBy: A, peeredAt: T } });
const unpeered = (groupId: number, peerId: number): OrgEvent => ({ type: 'OrgGroupsUnpeered', data: { groupId, peerId, unpeeredBy: A, unpeeredAt: T } });
const assigned: OrgEvent = { type: 'OrgMemberAssigned', data: { groupId: 1, userId: 'u1', assignedBy: A, assignedAt: T } };
const unassigned: OrgEvent = { type: 'OrgMemberUnassigned', data: { groupId: 1, userId: 'u1', unassignedBy: A, unassignedAt: T } };
const items = [{ key: 'trillian.history.cloud', value: '0' }];
const defined: OrgEvent = { type: 'OrgPolicyDefined', data: { policyId: 1, name: 'IT', items, definedBy: A, definedAt: T } };
const policyChanged: OrgEvent = { type: 'OrgPolicyChanged', data: { policyId: 1, name: 'HR', items: [], changedBy: A, changedAt: T } };
const policyDeleted: OrgEvent = { type: 'OrgPolicyDeleted', data: { policyId: 1, deletedBy: A, deletedAt: T } };

const groupDoc = (over: Record<string, unknown> = {}) => ({
  id: '1',
  groupId: 1,
  displayName: 'G1',
  name: 'g1',
  parentId: null,
  policyId: null,
  priority: 0,
  ldap: false,
  peers: [],
  deleted: false,
  ...over,
});
const strip = <T extends Record<string, unknown> | null>(doc: T) => {
  if (doc === null) return null;
  const { _position: _p, ...rest } = doc as Record<string, unknown>;
  return rest;
};

describe('org projection', () => {
  it('OrgGroupCreated: a live group without peers', async () => {
    const s = await given(orgProjection);
    await s.when(group(1));
    expect(strip(await s.doc(ORG_GROUPS, '1'))).toEqual(groupDoc());
    await thenReplayChangesNothing(s, 'OrgGroupCreated');
  });

  it('OrgGroupChanged: the whole group after the change', async () => {
    const s = await given(orgProjection, [group(1), group(2)]);
    await s.when(changed);
    expect(strip(await s.doc(ORG_GROUPS, '1'))).toEqual(groupDoc({ displayName: 'Sales', name: 'sales', parentId: 2, policyId: 1, priority: 5, ldap: true }));
    await thenReplayChangesNothing(s, 'OrgGroupChanged');
  });

  it('OrgGroupDeleted: a tombstone without peers', async () => {
    const s = await given(orgProjection, [group(1), peered(1, 1)]);
    await s.when(deleted(1));
    expect(strip(await s.doc(ORG_GROUPS, '1'))).toEqual(groupDoc({ deleted: true }));
    await thenReplayChangesNothing(s, 'OrgGroupDeleted');
  });

  it('OrgGroupsPeered and OrgGroupsUnpeered: the peers in order', async () => {
    const s = await given(orgProjection, [group(1), group(2)]);
    await s.when(peered(1, 2), peered(1, 1));
    expect((await s.doc(ORG_GROUPS, '1'))?.['peers']).toEqual([2, 1]);
    await thenReplayChangesNothing(s, 'OrgGroupsPeered');
    await s.when(unpeered(1, 2));
    expect((await s.doc(ORG_GROUPS, '1'))?.['peers']).toEqual([1]);
    await thenReplayChangesNothing(s, 'OrgGroupsUnpeered');
  });

  it('OrgMemberAssigned and OrgMemberUnassigned: one assignment, active or not', async () => {
    const s = await given(orgProjection, [group(1)]);
    await s.when(assigned);
    expect(strip(await s.doc(ORG_MEMBERS, '1:u1'))).toEqual({ id: '1:u1', groupId: 1, userId: 'u1', active: true });
    await thenReplayChangesNothing(s, 'OrgMemberAssigned');
    await s.when(unassigned);
    expect(strip(await s.doc(ORG_MEMBERS, '1:u1'))).toEqual({ id: '1:u1', groupId: 1, userId: 'u1', active: false });
    await thenReplayChangesNothing(s, 'OrgMemberUnassigned');
  });

  it('OrgPolicyDefined, OrgPolicyChanged, OrgPolicyDeleted', async () => {
    const s = await given(orgProjection);
    await s.when(defined);
    expect(strip(await s.doc(ORG_POLICIES, '1'))).toEqual({ id: '1', policyId: 1, name: 'IT', items, deleted: false });
    await thenReplayChangesNothing(s, 'OrgPolicyDefined');
    await s.when(policyChanged);
    expect(strip(await s.doc(ORG_POLICIES, '1'))).toEqual({ id: '1', policyId: 1, name: 'HR', items: [], deleted: false });
    await thenReplayChangesNothing(s, 'OrgPolicyChanged');
    await s.when(policyDeleted);
    expect((await s.doc(ORG_POLICIES, '1'))?.['deleted']).toBe(true);
    await thenReplayChangesNothing(s, 'OrgPolicyDeleted');
  });
});
