import type { PolicyItem } from '../libs/domain/events';
import type { Doc } from '../libs/read-store/read-store.port';
import type { Projection } from '../libs/projection/projection';
import { revised } from '../libs/projection/revised';

export const ORG_GROUPS = 'org_groups';
export const ORG_POLICIES = 'org_policies';
export const ORG_MEMBERS = 'org_members';

export const orgGroupDocId = (groupId: number) => String(groupId);
export const orgPolicyDocId = (policyId: number) => String(policyId);
export const orgMemberDocId = (groupId: number, userId: string) => `${groupId}:${userId}`;

/** A group as the read model holds it; `deleted` groups stay as tombstones so a replay cannot bring them back. */
export interface OrgGroupDoc extends Doc {
  readonly groupId: number;
  readonly displayName: string;
  readonly name: string;
  readonly parentId: number | null;
  readonly policyId: number | null;
  readonly priority: number;
  readonly ldap: boolean;
  readonly peers: readonly number[];
  readonly deleted: boolean;
}
export interface OrgPolicyDoc extends Doc {
  readonly policyId: number;
  readonly name: string;
  readonly items: readonly PolicyItem[];
  readonly deleted: boolean;
}
/** One (group, user) assignment; `active` false once unassigned. A deleted group's assignments stay and are read through the group's tombstone. */
export interface OrgMemberDoc extends Doc {
  readonly groupId: number;
  readonly userId: string;
  readonly active: boolean;
}

/**
 * The organisation for reading: groups (with their peers), policies and
 * group assignments indexed both ways. A user's directory (the members of
 * the groups their groups peer with) is derived from these at read time, so
 * a change of membership or peering is one small write here and every
 * directory that it touches shows it once that write is projected.
 */
export const orgProjection: Projection = {
  name: 'org',
  version: 1,
  collections: [
    { name: ORG_GROUPS, indexes: [{ fields: ['deleted', 'groupId'] }] },
    { name: ORG_POLICIES, indexes: [{ fields: ['deleted', 'policyId'] }] },
    { name: ORG_MEMBERS, indexes: [{ fields: ['groupId', 'active', 'userId'] }, { fields: ['userId', 'active', 'groupId'] }] },
  ],
  handlers: {
    OrgGroupCreated: async (event, ctx) => {
      const { createdBy: _by, createdAt: _at, ...d } = event.data;
      await ctx.update(ORG_GROUPS, orgGroupDocId(d.groupId), (doc) => revised(doc, revised(d, { peers: [], deleted: false })), () => ({
        id: orgGroupDocId(d.groupId),
      }));
    },
    OrgGroupChanged: async (event, ctx) => {
      const { changedBy: _by, changedAt: _at, ...d } = event.data;
      await ctx.update(ORG_GROUPS, orgGroupDocId(d.groupId), (doc) => (doc['deleted'] === true ? doc : revised(doc, { ...d })));
    },
    OrgGroupDeleted: async (event, ctx) => {
      await ctx.update(ORG_GROUPS, orgGroupDocId(event.data.groupId), (doc) => revised(doc, { deleted: true, peers: [] }));
      // Other groups' peerings towards it stay in their documents; readers skip peers that are tombstones.
    },
    OrgGroupsPeered: async (event, ctx) => {
      const d = event.data;
      await ctx.update(ORG_GROUPS, orgGroupDocId(d.groupId), (doc) => revised(doc, { peers: [...((doc['peers'] as number[]) ?? []), d.peerId] }));
    },
    OrgGroupsUnpeered: async (event, ctx) => {
      const d = event.data;
      await ctx.update(ORG_GROUPS, orgGroupDocId(d.groupId), (doc) => revised(doc, {
        peers: ((doc['peers'] as number[]) ?? []).filter((p) => p !== d.peerId),
      }));
    },
    OrgMemberAssigned: async (event, ctx) => {
      const d = event.data;
      const id = orgMemberDocId(d.groupId, d.userId);
      await ctx.update(ORG_MEMBERS, id, (doc) => revised(doc, { groupId: d.groupId, userId: d.userId, active: true }), () => ({ id }));
    },
    OrgMemberUnassigned: async (event, ctx) => {
      const d = event.data;
      await ctx.update(ORG_MEMBERS, orgMemberDocId(d.groupId, d.userId), (doc) => revised(doc, { active: false }));
    },
    OrgPolicyDefined: async (event, ctx) => {
      const d = event.data;
      const id = orgPolicyDocId(d.policyId);
      await ctx.update(ORG_POLICIES, id, (doc) => revised(doc, { policyId: d.policyId, name: d.name, items: d.items, deleted: false }), () => ({ id }));
    },
    OrgPolicyChanged: async (event, ctx) => {
      const d = event.data;
      await ctx.update(ORG_POLICIES, orgPolicyDocId(d.policyId), (doc) => (doc['deleted'] === true ? doc : revised(doc, { name: d.name, items: d.items })));
    },
    OrgPolicyDeleted: async (event, ctx) => {
      await ctx.update(ORG_POLICIES, orgPolicyDocId(event.data.policyId), (doc) => revised(doc, { deleted: true }));
    },
  },
};
