import type { ParleyEvent, ParleyEventType } from './events';

/**
 * Which fields of which events are personal data, and whose. The store layer
 * (libs/personal-data) encrypts these fields with their owner's key before an
 * event is appended and decrypts them when it is read; once the owner's key is
 * destroyed (account removal) they read as `null`. Every event type is listed,
 * so a new type has to decide (a compile error otherwise).
 *
 * Not personal here: ids, times, the username (a public sign-in handle, like
 * a room name), phone *keys* (keyed hashes), comment texts (the room's
 * history, which stays whole; its author shows as a deleted user).
 *
 * Credentials are sealed the same way (secret-fields.ts keeps them out of
 * every view as well): a password hash with its user's key, so erasure
 * covers it; a webhook's signing secret with a key of the webhook itself
 * (`webhookKeyOwner`), destroyed when the webhook is removed. A backup of
 * the log carries neither in clear.
 */
export interface PersonalFields<E extends ParleyEvent = ParleyEvent> {
  /** The user whose key encrypts the fields. */
  readonly owner: (data: E['data']) => string;
  readonly fields: readonly (keyof E['data'] & string)[];
}

type PersonalFieldMap = {
  readonly [K in ParleyEventType]: PersonalFields<Extract<ParleyEvent, { type: K }>> | null;
};

const ofUser = (data: { readonly userId: string }): string => data.userId;
const ofOwner = (data: { readonly ownerId: string }): string => data.ownerId;

/** The key owner of a webhook's secret: the webhook, in a namespace of its own beside user ids. */
export const webhookKeyOwner = (webhookId: string): string => `webhook:${webhookId}`;
const ofWebhook = (data: { readonly webhookId: string }): string => webhookKeyOwner(data.webhookId);

export const PERSONAL_FIELDS: PersonalFieldMap = {
  UsernameClaimed: null,
  ApplicationUserCreated: { owner: ofUser, fields: ['displayName'] },
  UserPropertiesChanged: { owner: ofUser, fields: ['properties'] },
  ApplicationRegistered: null,
  ApplicationRemoved: null,
  MemberInvited: null,
  RoomClosed: null,
  RoomPropertiesChanged: null,
  UserRegistered: { owner: ofUser, fields: ['displayName', 'passwordHash'] },
  PhoneClaimed: null,
  EmailClaimed: null,
  EmailChanged: { owner: ofUser, fields: ['email'] },
  PhoneAccountCreated: { owner: ofUser, fields: ['phone', 'displayName'] },
  VerificationCodeIssued: null,
  VerificationCodeFailed: null,
  PhoneVerified: null,
  PasswordChanged: { owner: ofUser, fields: ['passwordHash'] },
  ProfileUpdated: { owner: ofUser, fields: ['displayName'] },
  StatusMessageChanged: { owner: ofUser, fields: ['message'] },
  ProfilePhotoChanged: { owner: ofUser, fields: ['photoUrl'] },
  PrivacySettingsChanged: null,
  // Feedback on the product is kept for the operators, with the account's id only.
  UserRemoved: null,
  TokenFamilyStarted: { owner: ofUser, fields: ['client'] },
  RefreshTokenRotated: null,
  TokenFamilyRevoked: null,
  ApiKeyCreated: null,
  ApiKeyRevoked: null,
  ContactAdded: { owner: ofOwner, fields: ['contact'] },
  ContactsImported: { owner: ofOwner, fields: ['contacts'] },
  ContactRenamed: { owner: ofOwner, fields: ['name'] },
  ContactsRemoved: null,
  ContactsSyncRequested: null,
  ContactBlocked: null,
  ContactUnblocked: null,
  BlockListReplaced: null,
  PresenceChanged: { owner: ofUser, fields: ['message', 'device'] },
  RoomCreated: null,
  MemberAdded: null,
  MemberRemoved: null,
  MemberLeft: null,
  MemberRoleChanged: null,
  MemberMuteChanged: null,
  RoomRenamed: null,
  RoomTopicChanged: null,
  RoomAvatarChanged: null,
  RoomPermissionsChanged: null,
  RoomHistoryVisibilityChanged: null,
  RoomListingChanged: null,
  MemberVoiceChanged: null,
  HistoryDeleted: null,
  CommentPosted: null,
  CommentDeleted: null,
  RoomRead: null,
  RoomMarkedUnread: null,
  HistoryCleared: null,
  WebhookRegistered: { owner: ofWebhook, fields: ['secret'] },
  WebhookUpdated: { owner: ofWebhook, fields: ['secret'] },
  WebhookRemoved: null,
  WebhookPaused: null,
  WebhookResumed: null,
  ExportJobRequested: null,
  ExportJobCompleted: null,
  ExportJobFailed: null,
  ExportJobDeleted: null,
  ExportJobPurged: null,
  ImportJobRequested: null,
  ImportJobCompleted: null,
  ImportJobFailed: null,
  // The bytes themselves are sealed with the same key in the blob store (libs/personal-data/media-cipher.ts).
  MediaUploaded: { owner: ofOwner, fields: ['sha256', 'name'] },
  MediaAttached: null,
  MediaDeleted: null,
  MemberProfileChanged: { owner: ofUser, fields: ['profile'] },
  // The author's words; the rating and the stay stay with the subject's record.
  FeedbackLeft: { owner: (data) => data.authorId, fields: ['body'] },
  // The organisation's structure is the organisation's, not a user's; assignments name users by id only.
  OrgGroupCreated: null,
  OrgGroupChanged: null,
  OrgGroupDeleted: null,
  OrgGroupsPeered: null,
  OrgGroupsUnpeered: null,
  OrgMemberAssigned: null,
  OrgMemberUnassigned: null,
  OrgPolicyDefined: null,
  OrgPolicyChanged: null,
  OrgPolicyDeleted: null,
};

/** The personal fields of a stored event type, or null (also for types this build does not know). */
export function personalFieldsOf(type: string): PersonalFields | null {
  return Object.prototype.hasOwnProperty.call(PERSONAL_FIELDS, type)
    ? (PERSONAL_FIELDS[type as ParleyEventType] as PersonalFields | null)
    : null;
}
