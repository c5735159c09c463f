import type { PrivacyLevel, PrivacySettings } from '../../../libs/domain/events';
import type { Doc } from '../../../libs/read-store/read-store.port';

/**
 * Privacy settings on the wire use Windu's snake_case names, in requests and
 * answers alike: `status_message`, `photo`, `last_seen`.
 */
export interface PrivacyView {
  readonly status_message: PrivacyLevel;
  readonly photo: PrivacyLevel;
  readonly last_seen: PrivacyLevel;
  readonly read_receipts: PrivacyLevel;
}

export const privacyView = (settings: PrivacySettings): PrivacyView => ({
  status_message: settings.statusMessage,
  photo: settings.photo,
  last_seen: settings.lastSeen,
  read_receipts: settings.readReceipts ?? 'all',
});

/** `GET /v1/me`: the signed-in user's own profile. */
export interface MeView {
  readonly id: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly privacy: PrivacyView;
  readonly registeredAt: string;
}

export function meView(doc: Doc): MeView {
  return {
    id: doc.id,
    username: (doc['username'] as string | null) ?? null,
    displayName: (doc['displayName'] as string | null) ?? null,
    statusMessage: (doc['statusMessage'] as string | null) ?? null,
    photoUrl: (doc['photoUrl'] as string | null) ?? null,
    privacy: privacyView(doc['privacy'] as PrivacySettings),
    registeredAt: doc['registeredAt'] as string,
  };
}
