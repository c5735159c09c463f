import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { notFound } from '../../../libs/domain/errors';
import { cloudHistoryOff, fileTransferOff } from '../../../libs/domain/org/effective-policy';
import type { Doc, ReadStore } from '../../../libs/read-store/read-store.port';
import { ORG_GROUPS, ORG_MEMBERS, ORG_POLICIES, orgGroupDocId, orgPolicyDocId, type OrgGroupDoc, type OrgPolicyDoc } from '../../../projections/org.projection';
import { userSummary } from '../../../projections/users.projection';
import { READ_STORE } from '../infrastructure/tokens';
import { PrivacyPolicy } from '../presence/privacy-policy';
import { OrgStates } from './org-states';
import {
  groupView,
  policyView,
  type DirectoryEntryView,
  type EffectivePolicyView,
  type GroupMembersView,
  type GroupView,
  type PolicyView,
} from './org-views';

/** `$in` lists stay short enough for any read store. */
const IN_CHUNK = 500;

const liveGroup = (doc: Doc | null | undefined): OrgGroupDoc | null =>
  doc && doc['deleted'] === false ? (doc as OrgGroupDoc) : null;

const groupNotFound = (groupId: number) =>
  Object.assign(notFound('ORG.GROUP_NOT_FOUND', `No group ${groupId}`), { details: [{ field: 'groupId', reason: `no group ${groupId}` }] });
const policyNotFound = (policyId: number) =>
  Object.assign(notFound('ORG.POLICY_NOT_FOUND', `No policy ${policyId}`), { details: [{ field: 'policyId', reason: `no policy ${policyId}` }] });

export class ListGroupsQuery extends Query<{ items: GroupView[] }> {}

@QueryHandler(ListGroupsQuery)
export class ListGroupsHandler implements IQueryHandler<ListGroupsQuery, { items: GroupView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute(): Promise<{ items: GroupView[] }> {
    const docs = await this.readStore.find(ORG_GROUPS, { filter: { deleted: false }, sort: [{ field: 'groupId', direction: 'asc' }] });
    return { items: docs.map((doc) => groupView(doc as OrgGroupDoc)) };
  }
}

export class GetGroupQuery extends Query<GroupView> {
  constructor(readonly groupId: number) {
    super();
  }
}

@QueryHandler(GetGroupQuery)
export class GetGroupHandler implements IQueryHandler<GetGroupQuery, GroupView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ groupId }: GetGroupQuery): Promise<GroupView> {
    const group = liveGroup(await this.readStore.get(ORG_GROUPS, orgGroupDocId(groupId)));
    if (!group) throw groupNotFound(groupId);
    return groupView(group);
  }
}

export class ListGroupMembersQuery extends Query<GroupMembersView> {
  constructor(readonly groupId: number) {
    super();
  }
}

@QueryHandler(ListGroupMembersQuery)
export class ListGroupMembersHandler implements IQueryHandler<ListGroupMembersQuery, GroupMembersView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ groupId }: ListGroupMembersQuery): Promise<GroupMembersView> {
    if (!liveGroup(await this.readStore.get(ORG_GROUPS, orgGroupDocId(groupId)))) throw groupNotFound(groupId);
    const docs = await this.readStore.find(ORG_MEMBERS, {
      filter: { groupId, active: true },
      sort: [{ field: 'userId', direction: 'asc' }],
      fields: ['userId'],
    });
    return { groupId, userIds: docs.map((doc) => doc['userId'] as string) };
  }
}

export class ListPoliciesQuery extends Query<{ items: PolicyView[] }> {}

@QueryHandler(ListPoliciesQuery)
export class ListPoliciesHandler implements IQueryHandler<ListPoliciesQuery, { items: PolicyView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute(): Promise<{ items: PolicyView[] }> {
    const docs = await this.readStore.find(ORG_POLICIES, { filter: { deleted: false }, sort: [{ field: 'policyId', direction: 'asc' }] });
    return { items: docs.map((doc) => policyView(doc as OrgPolicyDoc)) };
  }
}

export class GetPolicyQuery extends Query<PolicyView> {
  constructor(readonly policyId: number) {
    super();
  }
}

@QueryHandler(GetPolicyQuery)
export class GetPolicyHandler implements IQueryHandler<GetPolicyQuery, PolicyView> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ policyId }: GetPolicyQuery): Promise<PolicyView> {
    const doc = await this.readStore.get(ORG_POLICIES, orgPolicyDocId(policyId));
    if (!doc || doc['deleted'] !== false) throw policyNotFound(policyId);
    return policyView(doc as OrgPolicyDoc);
  }
}

/** The live groups `userId` is assigned to, by id. */
async function groupsOfUser(readStore: ReadStore, userId: string): Promise<OrgGroupDoc[]> {
  const assignments = await readStore.find(ORG_MEMBERS, { filter: { userId, active: true }, fields: ['groupId'] });
  const docs = await readStore.getMany(ORG_GROUPS, assignments.map((doc) => orgGroupDocId(doc['groupId'] as number)));
  return docs.flatMap((doc) => liveGroup(doc) ?? []).sort((a, b) => a.groupId - b.groupId);
}

export class MyGroupsQuery extends Query<{ items: GroupView[] }> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(MyGroupsQuery)
export class MyGroupsHandler implements IQueryHandler<MyGroupsQuery, { items: GroupView[] }> {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  async execute({ userId }: MyGroupsQuery): Promise<{ items: GroupView[] }> {
    return { items: (await groupsOfUser(this.readStore, userId)).map(groupView) };
  }
}

export class MyPolicyQuery extends Query<EffectivePolicyView> {
  constructor(readonly userId: string) {
    super();
  }
}

/** Read from the log's fold, as enforcement is: what the caller is shown is what binds them. */
@QueryHandler(MyPolicyQuery)
export class MyPolicyHandler implements IQueryHandler<MyPolicyQuery, EffectivePolicyView> {
  constructor(private readonly org: OrgStates) {}

  async execute({ userId }: MyPolicyQuery): Promise<EffectivePolicyView> {
    const items = await this.org.policyOf(userId);
    return { items, cloudHistory: !cloudHistoryOff(items), fileTransfer: !fileTransferOff(items) };
  }
}

export interface DirectoryPage {
  readonly items: DirectoryEntryView[];
  /** The cursor of the next page (pass it as `cursor`), null on the last page. */
  readonly nextCursor: string | null;
}

export class MyDirectoryQuery extends Query<DirectoryPage> {
  constructor(
    readonly userId: string,
    readonly page: { readonly after: string | null; readonly limit: number } = { after: null, limit: DIRECTORY_PAGE_MAX },
  ) {
    super();
  }
}

/** Most entries one page of the directory holds. */
export const DIRECTORY_PAGE_MAX = 500;

/**
 * The caller's directory: the members of every live group that one of the
 * caller's groups peers with, the caller left out, by username. Derived
 * from the org read model at each read (assignments indexed by group), so
 * it changes with one projected assignment or peering and never touches
 * the caller's own address book. Blocking either way leaves a user out
 * (PrivacyPolicy.hidden). Entries are names and groups only: status, photo
 * and presence are the contact routes' to serve, under privacy, for the
 * entries a client shows.
 */
@QueryHandler(MyDirectoryQuery)
export class MyDirectoryHandler implements IQueryHandler<MyDirectoryQuery, DirectoryPage> {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly privacy: PrivacyPolicy,
  ) {}

  async execute({ userId, page }: MyDirectoryQuery): Promise<DirectoryPage> {
    const mine = await groupsOfUser(this.readStore, userId);
    const peerIds = [...new Set(mine.flatMap((group) => group.peers))];
    const peers = (await this.readStore.getMany(ORG_GROUPS, peerIds.map(orgGroupDocId))).flatMap((doc) => liveGroup(doc) ?? []);
    const through = new Map<string, number[]>();
    const live = peers.map((group) => group.groupId);
    for (let i = 0; i < live.length; i += IN_CHUNK) {
      const docs = await this.readStore.find(ORG_MEMBERS, {
        filter: { groupId: { $in: live.slice(i, i + IN_CHUNK) }, active: true },
        fields: ['groupId', 'userId'],
      });
      for (const doc of docs) {
        const member = doc['userId'] as string;
        if (member === userId) continue;
        const groups = through.get(member) ?? [];
        groups.push(doc['groupId'] as number);
        through.set(member, groups);
      }
    }
    // Pages by user id: only a page's users are read and judged by privacy, whatever the directory's size.
    const all = [...through.keys()].filter((id) => page.after === null || id > page.after).sort();
    const ids = all.slice(0, page.limit);
    const nextCursor = all.length > page.limit ? ids[ids.length - 1]! : null;
    const users = new Map<string, Doc>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      for (const doc of await this.readStore.getMany('users', ids.slice(i, i + IN_CHUNK))) users.set(doc.id, doc);
    }
    const hidden = await this.privacy.hidden(userId, ids);
    const items: DirectoryEntryView[] = [];
    for (const id of ids) {
      const summary = userSummary(users.get(id), id);
      if (summary.removed || !users.has(id) || hidden.has(id)) continue;
      items.push({ userId: id, username: summary.username, displayName: summary.displayName, groups: [...new Set(through.get(id))].sort((a, b) => a - b) });
    }
    return { items, nextCursor: nextCursor === null ? null : Buffer.from(nextCursor, 'utf8').toString('base64url') };
  }
}
