import type { PolicyItem } from '../../../libs/domain/events';
import type { EffectiveItem } from '../../../libs/domain/org/effective-policy';
import { policyData } from '../../../libs/domain/org/policy-items';

export interface GroupView {
  readonly id: number;
  readonly displayName: string;
  readonly name: string;
  readonly parentId: number | null;
  readonly policyId: number | null;
  readonly priority: number;
  readonly ldap: boolean;
  /** Groups whose members this group's members see in their directory. */
  readonly peers: readonly number[];
}

export interface PolicyView {
  readonly id: number;
  readonly name: string;
  readonly items: readonly PolicyItem[];
  /** The items as Trillian carries them: base64 of `key value` lines. */
  readonly data: string;
}

export interface GroupSource {
  readonly groupId: number;
  readonly displayName: string;
  readonly name: string;
  readonly parentId: number | null;
  readonly policyId: number | null;
  readonly priority: number;
  readonly ldap: boolean;
  readonly peers: readonly number[];
}

export const groupView = (g: GroupSource): GroupView => ({
  id: g.groupId,
  displayName: g.displayName,
  name: g.name,
  parentId: g.parentId,
  policyId: g.policyId,
  priority: g.priority,
  ldap: g.ldap,
  peers: [...g.peers],
});

export const policyView = (p: { readonly policyId: number; readonly name: string; readonly items: readonly PolicyItem[] }): PolicyView => ({
  id: p.policyId,
  name: p.name,
  items: p.items.map(({ key, value }) => ({ key, value })),
  data: policyData(p.items),
});

export interface GroupCommandView {
  readonly group: GroupView | null;
  readonly position: string | null;
}

export interface GroupMembersView {
  readonly groupId: number;
  readonly userIds: readonly string[];
}

export interface EffectivePolicyView {
  /** Each key with the value that binds the user, sorted by key. */
  readonly items: readonly EffectiveItem[];
  /** Shorthands for the items Parley enforces itself. */
  readonly cloudHistory: boolean;
  readonly fileTransfer: boolean;
}

/** One user the caller sees because one of their groups peers with a group of that user. */
export interface DirectoryEntryView {
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  /** The caller-visible groups through which the entry is seen (the peered groups that hold the user). */
  readonly groups: readonly number[];
}
