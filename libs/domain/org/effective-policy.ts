import type { PolicyItem } from '../events';
import type { OrgGroup, OrgState } from './org.decider';

export interface EffectiveItem extends PolicyItem {
  /** The policy and the group it came through. */
  readonly policyId: number;
  readonly groupId: number;
}

/**
 * A user's effective policy: each key takes its value from the first source
 * that names it. Sources in order: the user's groups by `priority` (highest
 * first, then lowest id), and for each group its own bound policy, then its
 * parent's, up the parent chain (a nearer ancestor wins). A group without a
 * policy simply contributes its ancestors'.
 */
export function effectivePolicy(state: OrgState, groups: readonly OrgGroup[]): EffectiveItem[] {
  const ordered = [...groups].sort((a, b) => b.priority - a.priority || a.groupId - b.groupId);
  const chosen = new Map<string, EffectiveItem>();
  for (const group of ordered) {
    const seen = new Set<number>();
    for (let at: OrgGroup | undefined = group; at !== undefined && !seen.has(at.groupId); at = at.parentId === null ? undefined : state.groups.get(at.parentId)) {
      seen.add(at.groupId);
      const policy = at.policyId === null ? undefined : state.policies.get(at.policyId);
      for (const item of policy?.items ?? []) {
        if (!chosen.has(item.key)) chosen.set(item.key, { ...item, policyId: policy!.policyId, groupId: at.groupId });
      }
    }
  }
  return [...chosen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** `trillian.history.cloud 0`: the server keeps no history for the user beyond the session. */
export const cloudHistoryOff = (items: readonly PolicyItem[]): boolean =>
  items.some((item) => item.key === 'trillian.history.cloud' && item.value.trim() === '0');

/** `trillian.filetransfer 0` (or `off`/`none`) forbids file transfer; `server` and `1` allow it. */
export const fileTransferOff = (items: readonly PolicyItem[]): boolean =>
  items.some((item) => item.key === 'trillian.filetransfer' && ['0', 'off', 'none', 'disabled'].includes(item.value.trim().toLowerCase()));

/**
 * From when a user's history is served back to them: everything (null)
 * unless their policy turns cloud history off; then only what was posted
 * since their current sign-in began, and nothing for a caller without one.
 */
export function historyServedFrom(items: readonly PolicyItem[], signedInAt: string | null): string | null {
  if (!cloudHistoryOff(items)) return null;
  return signedInAt ?? '9999-12-31T23:59:59.999Z';
}
