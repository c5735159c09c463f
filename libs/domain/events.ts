/**
 * Parley's domain events. The stored type name is the string literal in `type`,
 * never a class name; `version` is the schema version of `data` and old
 * versions are upcast when read (see `upcast`).
 */
export type RoomRole = 'owner' | 'operator' | 'member';
/** `thread`: a private conversation with a subject (Warmshowers' message threads); its participants are fixed. */
export type RoomKind = 'group' | 'direct' | 'thread';
export const ROOM_KINDS: readonly RoomKind[] = ['group', 'direct', 'thread'];

/** What plain members (not operators or the owner) may do, after Trillian's group-chat flags. */
export interface RoomPermissions {
  readonly rename: boolean;
  readonly changeTopic: boolean;
  readonly addMembers: boolean;
  readonly removeMembers: boolean;
  readonly send: boolean;
}

/**
 * Who sees a room's history: `shared`, every member sees it all, from before
 * they joined too; `joined`, a member sees only what happened from their
 * (latest) joining on. Deleted comments' content is never shown either way.
 */
export type HistoryVisibility = 'shared' | 'joined';
export const HISTORY_VISIBILITIES: readonly HistoryVisibility[] = ['shared', 'joined'];
export const DEFAULT_HISTORY_VISIBILITY: HistoryVisibility = 'shared';

export const DEFAULT_PERMISSIONS: RoomPermissions = {
  rename: true,
  changeTopic: true,
  addMembers: true,
  removeMembers: false,
  send: true,
};

/**
 * Personal fields (see `personal-data.ts`) are stored encrypted with a key of
 * their owner kept outside the log. Once the owner's key is destroyed they
 * read as `null`: that is what "erased" means, in replays, rebuilds and queries.
 */
export type Erasable<T> = T | null;

export type UsernameClaimed = {
  readonly type: 'UsernameClaimed';
  readonly data: { readonly username: string; readonly userId: string };
};
export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
    readonly userId: string;
    /** The sign-in handle; public, like a room name (decision 0008). */
    readonly username: string;
    readonly displayName: Erasable<string>;
    /** Sealed with the user's key (decision 0020): null once the account is erased. */
    readonly passwordHash: Erasable<string>;
    readonly registeredAt: string;
  };
};
/** A phone number claimed by an account; the stream id and data carry only its keyed hash. */
export type PhoneClaimed = {
  readonly type: 'PhoneClaimed';
  readonly data: { readonly phoneKey: string; readonly userId: string };
};
/**
 * An email address claimed by an account (Qiscus identifies users by email).
 * Stream `email-<emailKey>`; only the keyed hash of the lower-cased address
 * appears, so the claim names nobody once the account is erased.
 */
export type EmailClaimed = {
  readonly type: 'EmailClaimed';
  readonly data: { readonly emailKey: string; readonly userId: string };
};
/** An account's email address, on the user's stream; the address is personal data. */
export type EmailChanged = {
  readonly type: 'EmailChanged';
  readonly data: {
    readonly userId: string;
    readonly emailKey: string;
    /** Lower-cased; sealed with the user's key, null once the account is erased. */
    readonly email: Erasable<string>;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/** Windu: an account by phone number, pending until a code sent to the phone is verified. */
export type PhoneAccountCreated = {
  readonly type: 'PhoneAccountCreated';
  readonly data: {
    readonly userId: string;
    /** Keyed hash (HMAC-SHA256) of the E.164 number: finds the account and matches contacts without the number. */
    readonly phoneKey: string;
    readonly phone: Erasable<string>;
    readonly displayName: Erasable<string>;
    readonly createdAt: string;
    /**
     * The login (a user) holding this phone account, null for an account that
     * is its own login (created without signing in). v1 had none.
     */
    readonly loginId: string | null;
  };
};
export type VerificationChannel = 'sms' | 'voice';
export type VerificationCodeIssued = {
  readonly type: 'VerificationCodeIssued';
  readonly data: {
    readonly userId: string;
    readonly codeId: string;
    readonly channel: VerificationChannel;
    /** HMAC-SHA256 of the code under a server key: the log never holds a code. */
    readonly codeHash: string;
    readonly expiresAt: string;
    readonly issuedAt: string;
  };
};
export type VerificationCodeFailed = {
  readonly type: 'VerificationCodeFailed';
  readonly data: { readonly userId: string; readonly codeId: string; readonly attempt: number; readonly failedAt: string };
};
export type PhoneVerified = {
  readonly type: 'PhoneVerified';
  readonly data: { readonly userId: string; readonly codeId: string; readonly verifiedAt: string };
};
export type PasswordChanged = {
  readonly type: 'PasswordChanged';
  readonly data: { readonly userId: string; readonly passwordHash: Erasable<string>; readonly changedBy: string; readonly changedAt: string };
};
export type ProfileUpdated = {
  readonly type: 'ProfileUpdated';
  readonly data: {
    readonly userId: string;
    readonly displayName: Erasable<string>;
    readonly updatedBy: string;
    readonly updatedAt: string;
  };
};
export type StatusMessageChanged = {
  readonly type: 'StatusMessageChanged';
  readonly data: {
    readonly userId: string;
    /** Null clears it. */
    readonly message: Erasable<string>;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type ProfilePhotoChanged = {
  readonly type: 'ProfilePhotoChanged';
  readonly data: {
    readonly userId: string;
    /** Null removes it. */
    readonly photoUrl: Erasable<string>;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/** Who sees a field of a profile (Windu): nobody else, the owner's contacts, or everyone. */
export type PrivacyLevel = 'none' | 'contacts' | 'all';
export interface PrivacySettings {
  readonly statusMessage: PrivacyLevel;
  readonly photo: PrivacyLevel;
  readonly lastSeen: PrivacyLevel;
  /**
   * Whether the other members of the user's rooms see how far they read:
   * `all` or `none` (never `contacts`), reciprocal (who hides theirs sees
   * no one's). Absent in settings written before it existed: `all`.
   */
  readonly readReceipts?: PrivacyLevel;
}
export const DEFAULT_PRIVACY: PrivacySettings = { statusMessage: 'all', photo: 'all', lastSeen: 'all', readReceipts: 'all' };
/** Whether a user shares their read position with their rooms' members. */
export const sharesReadReceipts = (settings: PrivacySettings | undefined): boolean => (settings?.readReceipts ?? 'all') !== 'none';
export type PrivacySettingsChanged = {
  readonly type: 'PrivacySettingsChanged';
  readonly data: {
    readonly userId: string;
    /** The whole settings after the change. */
    readonly settings: PrivacySettings;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/** The account is gone: its tokens stop working and its key of personal data is destroyed. */
export type UserRemoved = {
  readonly type: 'UserRemoved';
  readonly data: {
    readonly userId: string;
    /** `self`: POST /v1/me/remove; `admin`: an API-key caller; `application`: the application that created the user. */
    readonly reason: 'self' | 'admin' | 'application';
    /** Why they left, if they said; kept (it is about the product), with the account id only. */
    readonly feedback: string | null;
    readonly removedBy: string;
    readonly removedAt: string;
  };
};
/**
 * A user an application created by name (Vonage/Nexmo users): no password, no
 * username; it acts through its application's tokens (`sub`). Its `name` is
 * unique within the application, which the user id derives from.
 */
export type ApplicationUserCreated = {
  readonly type: 'ApplicationUserCreated';
  readonly data: {
    readonly userId: string;
    readonly applicationId: string;
    /** The application's handle for the user (the JWT `sub`); public, like a username. */
    readonly name: string;
    readonly displayName: Erasable<string>;
    readonly createdBy: string;
    readonly createdAt: string;
  };
};
/**
 * A user's `custom_data` replaced whole: free JSON the user's application
 * keeps on it (bounded by PROPERTIES_LIMITS). Personal data of the user:
 * sealed with their key, so their removal erases it.
 */
export type UserPropertiesChanged = {
  readonly type: 'UserPropertiesChanged';
  readonly data: {
    readonly userId: string;
    readonly properties: Erasable<Record<string, unknown>>;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type UserEvent =
  | UsernameClaimed
  | ApplicationUserCreated
  | UserPropertiesChanged
  | UserRegistered
  | PhoneClaimed
  | EmailClaimed
  | EmailChanged
  | PhoneAccountCreated
  | VerificationCodeIssued
  | VerificationCodeFailed
  | PhoneVerified
  | PasswordChanged
  | ProfileUpdated
  | StatusMessageChanged
  | ProfilePhotoChanged
  | PrivacySettingsChanged
  | UserRemoved;

/**
 * A refresh-token family: one sign-in and every token rotated from it. Stream
 * `token-family-<familyId>`. Presenting a token that was already rotated
 * away revokes the family (theft detection, RFC 6819 5.2.2.3).
 */
export type TokenFamilyStarted = {
  readonly type: 'TokenFamilyStarted';
  readonly data: {
    readonly familyId: string;
    readonly userId: string;
    /** The current refresh token's id (its `jti`). */
    readonly tokenId: string;
    /** `server`: issued to a server acting for the user (Qiscus' login_or_register with the server secret or an SDK sign-in). */
    readonly grant: 'password' | 'phone' | 'server';
    /**
     * What signed in, as far as the server knows (the User-Agent); personal
     * data of the user, like a presence device. Version 1 had none (null).
     */
    readonly client: Erasable<string>;
    readonly expiresAt: string;
    readonly startedAt: string;
  };
};
export type RefreshTokenRotated = {
  readonly type: 'RefreshTokenRotated';
  readonly data: {
    readonly familyId: string;
    readonly userId: string;
    readonly fromTokenId: string;
    readonly toTokenId: string;
    readonly expiresAt: string;
    readonly rotatedAt: string;
  };
};
export type TokenFamilyRevoked = {
  readonly type: 'TokenFamilyRevoked';
  readonly data: {
    readonly familyId: string;
    readonly userId: string;
    /**
     * `reuse`: a rotated token came back; `revoked`: POST /v1/oauth/revoke;
     * `session`: ended by its user from the sessions list (DELETE
     * /v1/me/sessions/:id); `password`: the password changed.
     */
    readonly reason: 'reuse' | 'revoked' | 'session' | 'password';
    /** The token id that was presented. */
    readonly tokenId: string;
    readonly revokedAt: string;
  };
};
export type TokenEvent = TokenFamilyStarted | RefreshTokenRotated | TokenFamilyRevoked;

/** Server API keys (Qiscus' secret header), stream `apikey-<keyId>`. The secret is never stored, only its hash. */
export type ApiKeyCreated = {
  readonly type: 'ApiKeyCreated';
  readonly data: {
    readonly keyId: string;
    readonly name: string;
    readonly scopes: readonly string[];
    /** SHA-256 (hex) of the whole key. */
    readonly secretHash: string;
    /** The bootstrap key printed at the first start of an installation. */
    readonly bootstrap: boolean;
    readonly createdBy: string;
    readonly createdAt: string;
  };
};
export type ApiKeyRevoked = {
  readonly type: 'ApiKeyRevoked';
  readonly data: { readonly keyId: string; readonly revokedBy: string; readonly revokedAt: string };
};
export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked;

/**
 * An application (a principal that is not a user, after Vonage/Nexmo
 * applications), stream `application-<id>`. It signs its own RS256 tokens;
 * Parley keeps only the public key.
 */
export type ApplicationRegistered = {
  readonly type: 'ApplicationRegistered';
  readonly data: {
    readonly applicationId: string;
    readonly name: string;
    /** SPKI PEM of the RS256 key the application signs with. */
    readonly publicKey: string;
    /** Whether Parley generated the pair (the private key was answered once, never stored). */
    readonly keyGenerated: boolean;
    readonly registeredBy: string;
    readonly registeredAt: string;
  };
};
export type ApplicationRemoved = {
  readonly type: 'ApplicationRemoved';
  readonly data: { readonly applicationId: string; readonly removedBy: string; readonly removedAt: string };
};
export type ApplicationEvent = ApplicationRegistered | ApplicationRemoved;

/** One entry of a user's address book (Windu): a phone number, a username or a user id, with a name. */
export interface ContactEntry {
  /** As the owner gave it, normalised (E.164 for phones, lower case for usernames). */
  readonly contactId: string;
  readonly kind: 'phone' | 'username' | 'user';
  /**
   * Names the entry in the owner's list and is what registered accounts are
   * matched by: `phone:<phoneKey>`, `username:<normalised name>` or `user:<id>`.
   * Kept in clear so that matching works without the owner's key.
   */
  readonly matchKey: string;
  readonly firstName: string;
  readonly lastName: string;
}
/** Stream `contacts-<ownerId>`; entries are the owner's personal data. */
export type ContactAdded = {
  readonly type: 'ContactAdded';
  readonly data: {
    readonly ownerId: string;
    readonly matchKey: string;
    readonly contact: Erasable<ContactEntry>;
    readonly addedAt: string;
  };
};
export type ContactsImported = {
  readonly type: 'ContactsImported';
  readonly data: {
    readonly ownerId: string;
    /** The entries' match keys, in the order of `contacts`. */
    readonly matchKeys: readonly string[];
    /** The whole list after the import: it replaces what was there. */
    readonly contacts: Erasable<readonly ContactEntry[]>;
    readonly importedAt: string;
  };
};
export type ContactRenamed = {
  readonly type: 'ContactRenamed';
  readonly data: {
    readonly ownerId: string;
    readonly matchKey: string;
    readonly name: Erasable<{ readonly firstName: string; readonly lastName: string }>;
    readonly renamedAt: string;
  };
};
export type ContactsRemoved = {
  readonly type: 'ContactsRemoved';
  readonly data: { readonly ownerId: string; readonly matchKeys: readonly string[]; readonly removedAt: string };
};
/** Sync asked for by the owner (Windu's force sync): matching runs again over the list. */
export type ContactsSyncRequested = {
  readonly type: 'ContactsSyncRequested';
  readonly data: { readonly ownerId: string; readonly requestedAt: string };
};
export type ContactEvent = ContactAdded | ContactsImported | ContactRenamed | ContactsRemoved | ContactsSyncRequested;

/** Stream `blocks-<userId>`. */
export type ContactBlocked = {
  readonly type: 'ContactBlocked';
  readonly data: { readonly userId: string; readonly blockedUserId: string; readonly blockedAt: string };
};
export type ContactUnblocked = {
  readonly type: 'ContactUnblocked';
  readonly data: { readonly userId: string; readonly blockedUserId: string; readonly unblockedAt: string };
};
export type BlockListReplaced = {
  readonly type: 'BlockListReplaced';
  readonly data: { readonly userId: string; readonly blockedUserIds: readonly string[]; readonly replacedAt: string };
};
export type BlockEvent = ContactBlocked | ContactUnblocked | BlockListReplaced;

export type PresenceStatus = 'online' | 'away' | 'busy' | 'invisible' | 'offline';
export interface PresenceDevice {
  readonly name: string;
  readonly platform: string;
  readonly version: string;
}
/** Stream `presence-<userId>` (Trillian presence, Windu connected status and last seen). */
export type PresenceChanged = {
  readonly type: 'PresenceChanged';
  readonly data: {
    readonly userId: string;
    readonly status: PresenceStatus;
    readonly message: Erasable<string>;
    readonly device: Erasable<PresenceDevice>;
    /** The user, or `apikey:<id>` when an administrator set it. */
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type PresenceEvent = PresenceChanged;

export type RoomCreated = {
  readonly type: 'RoomCreated';
  readonly data: {
    readonly roomId: string;
    readonly kind: RoomKind;
    readonly name: string;
    readonly topic: string | null;
    readonly avatarUrl: string | null;
    readonly createdBy: string;
    readonly permissions: RoomPermissions;
    /** Version 1 had none: those rooms are `shared`. */
    readonly historyVisibility: HistoryVisibility;
    /**
     * The application that owns the room (version 3; null before and for
     * rooms of users). Such a room starts without members and its `name` is
     * unique within the application.
     */
    readonly applicationId: string | null;
    /** The room's handle within its application (Vonage's `name`; `name` above is what people see); absent otherwise. */
    readonly applicationName?: string;
    readonly createdAt: string;
  };
};
export type MemberAdded = {
  readonly type: 'MemberAdded';
  readonly data: {
    readonly roomId: string;
    readonly userId: string;
    readonly role: RoomRole;
    readonly addedBy: string;
    /** Who invited the member, when the member joined by accepting an invitation; absent otherwise. */
    readonly invitedBy?: string;
    readonly addedAt: string;
  };
};
/** Invited, not yet a member: the user accepts (MemberAdded with `invitedBy`) or declines (MemberLeft). */
export type MemberInvited = {
  readonly type: 'MemberInvited';
  readonly data: { readonly roomId: string; readonly userId: string; readonly invitedBy: string; readonly invitedAt: string };
};
/** The room is deleted: it stays as read-only history. */
export type RoomClosed = {
  readonly type: 'RoomClosed';
  readonly data: { readonly roomId: string; readonly closedBy: string; readonly closedAt: string };
};
/** The room's `custom_data` replaced whole: free JSON its application keeps on it (bounded by PROPERTIES_LIMITS). */
export type RoomPropertiesChanged = {
  readonly type: 'RoomPropertiesChanged';
  readonly data: { readonly roomId: string; readonly properties: Record<string, unknown>; readonly changedBy: string; readonly changedAt: string };
};
export type MemberRemoved = {
  readonly type: 'MemberRemoved';
  readonly data: { readonly roomId: string; readonly userId: string; readonly removedBy: string; readonly removedAt: string };
};
export type MemberLeft = {
  readonly type: 'MemberLeft';
  readonly data: { readonly roomId: string; readonly userId: string; readonly leftAt: string };
};
export type MemberRoleChanged = {
  readonly type: 'MemberRoleChanged';
  readonly data: {
    readonly roomId: string;
    readonly userId: string;
    readonly role: RoomRole;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type MemberMuteChanged = {
  readonly type: 'MemberMuteChanged';
  readonly data: {
    readonly roomId: string;
    readonly userId: string;
    readonly muted: boolean;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type RoomRenamed = {
  readonly type: 'RoomRenamed';
  readonly data: { readonly roomId: string; readonly name: string; readonly renamedBy: string; readonly renamedAt: string };
};
export type RoomTopicChanged = {
  readonly type: 'RoomTopicChanged';
  readonly data: {
    readonly roomId: string;
    readonly topic: string | null;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type RoomAvatarChanged = {
  readonly type: 'RoomAvatarChanged';
  readonly data: {
    readonly roomId: string;
    readonly avatarUrl: string | null;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type RoomPermissionsChanged = {
  readonly type: 'RoomPermissionsChanged';
  readonly data: {
    readonly roomId: string;
    readonly permissions: RoomPermissions;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type RoomHistoryVisibilityChanged = {
  readonly type: 'RoomHistoryVisibilityChanged';
  readonly data: {
    readonly roomId: string;
    readonly historyVisibility: HistoryVisibility;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/** DISABLE_LIST: the room is not listed to those who are not its members (admins list it). */
export type RoomListingChanged = {
  readonly type: 'RoomListingChanged';
  readonly data: { readonly roomId: string; readonly unlisted: boolean; readonly changedBy: string; readonly changedAt: string };
};
/** VOICE: the member posts where plain members may not (`permissions.send` false: a moderated room). */
export type MemberVoiceChanged = {
  readonly type: 'MemberVoiceChanged';
  readonly data: {
    readonly roomId: string;
    readonly userId: string;
    readonly voice: boolean;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/** What a deletion of history covers: named comments, one ISO week, or everything up to then. */
export type HistoryDeletionScope = 'comments' | 'week' | 'all';
/**
 * A block of a room's comments is deleted (decision 0034-history-deletion):
 * the comments named, or those of one ISO week, or all, among the comments
 * with `fromSeq <= seq <= throughSeq`. The posts stay in the log; read models
 * and exports stop serving their content from this event on.
 */
export type HistoryDeleted = {
  readonly type: 'HistoryDeleted';
  readonly data: {
    readonly roomId: string;
    readonly scope: HistoryDeletionScope;
    /** The comments deleted (scope `comments`), without those deleted before; empty otherwise. */
    readonly commentIds: readonly string[];
    /** Scope `week`: the ISO week and the instants it covers, `[from, until)`; null otherwise. */
    readonly week: { readonly year: number; readonly week: number; readonly from: string; readonly until: string } | null;
    readonly fromSeq: number;
    readonly throughSeq: number;
    readonly deletedBy: string;
    readonly deletedAt: string;
  };
};
export type RoomEvent =
  | RoomCreated
  | RoomListingChanged
  | MemberVoiceChanged
  | HistoryDeleted
  | MemberInvited
  | RoomClosed
  | RoomPropertiesChanged
  | RoomHistoryVisibilityChanged
  | MemberAdded
  | MemberRemoved
  | MemberLeft
  | MemberRoleChanged
  | MemberMuteChanged
  | RoomRenamed
  | RoomTopicChanged
  | RoomAvatarChanged
  | RoomPermissionsChanged;

/** A smaller copy of an image: the long side at most `size` pixels, aspect kept, never larger than the original. */
export interface MediaThumbnail {
  /** The documented size it was made for (MEDIA_THUMBNAIL_SIZES): the bound of its long side. */
  readonly size: number;
  /** image/jpeg, or image/png where the original has transparency; the original's own type where it is no larger than `size`. */
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** Address of its (sealed) bytes in the blob store: the original's where it is no larger than `size`. */
  readonly blob: string;
}

/**
 * Media (issue #15), stream `media-<mediaId>`. The bytes live in the blob
 * store, sealed with the owner's key; the log holds only what describes them.
 */
export type MediaUploaded = {
  readonly type: 'MediaUploaded';
  readonly data: {
    readonly mediaId: string;
    readonly ownerId: string;
    /** Sniffed from the bytes, never taken from the client. */
    readonly type: string;
    readonly size: number;
    /** SHA-256 (hex) of the bytes as uploaded: the strong ETag. Personal: null once the owner is erased. */
    readonly sha256: Erasable<string>;
    /** The file name the client gave, if any. Personal. */
    readonly name: Erasable<string>;
    readonly width: number | null;
    readonly height: number | null;
    /** Address of the sealed bytes in the blob store. */
    readonly blob: string;
    readonly thumbnails: readonly MediaThumbnail[];
    readonly uploadedAt: string;
  };
};
/** The media belongs to a room's media (Trillian group-chat media) or is its avatar: the room's members may read it. */
export type MediaAttached = {
  readonly type: 'MediaAttached';
  readonly data: {
    readonly mediaId: string;
    readonly ownerId: string;
    readonly roomId: string;
    readonly purpose: 'room_media' | 'avatar';
    readonly attachedBy: string;
    readonly attachedAt: string;
  };
};
/** The media is gone: its bytes (`blobs`) are removed from the blob store; this event and the earlier ones stay. */
export type MediaDeleted = {
  readonly type: 'MediaDeleted';
  readonly data: {
    readonly mediaId: string;
    readonly ownerId: string;
    readonly blobs: readonly string[];
    readonly deletedBy: string;
    readonly deletedAt: string;
  };
};
export type MediaEvent = MediaUploaded | MediaAttached | MediaDeleted;

/** What a comment shows of an attached media item: metadata and where to fetch it, never the bytes. */
export interface CommentAttachment {
  readonly mediaId: string;
  readonly type: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly url: string;
  readonly thumbnails: readonly { readonly size: number; readonly width: number; readonly height: number; readonly url: string }[];
}

export type CommentPosted = {
  readonly type: 'CommentPosted';
  readonly data: {
    readonly commentId: string;
    readonly roomId: string;
    readonly seq: number;
    readonly previousId: string | null;
    readonly senderId: string;
    readonly text: string;
    readonly commentType: string;
    readonly payload: Record<string, unknown> | null;
    readonly replyTo: string | null;
    readonly clientId: string | null;
    /** Media attached to the comment; absent when none (every comment before media existed). */
    readonly attachments?: readonly CommentAttachment[];
    readonly postedAt: string;
  };
};
export type CommentDeleted = {
  readonly type: 'CommentDeleted';
  readonly data: {
    readonly commentId: string;
    readonly roomId: string;
    readonly seq: number;
    readonly deletedBy: string;
    readonly deletedAt: string;
  };
};
export type RoomRead = {
  readonly type: 'RoomRead';
  readonly data: { readonly roomId: string; readonly userId: string; readonly seq: number; readonly readAt: string };
};
export type RoomMarkedUnread = {
  readonly type: 'RoomMarkedUnread';
  readonly data: {
    readonly roomId: string;
    readonly userId: string;
    /** The read marker kept underneath, so the stream's last event is its whole state. */
    readonly lastReadSeq: number;
    readonly markedAt: string;
  };
};
/**
 * One member cleared a room's history for themselves (Qiscus'
 * `clear_room_messages`): the comments up to `throughSeq` no longer show to
 * them; the room and the other members keep them. Stream
 * `history-cleared-<roomId>-<userId>`, whose last event is its whole state.
 */
export type HistoryCleared = {
  readonly type: 'HistoryCleared';
  readonly data: { readonly roomId: string; readonly userId: string; readonly throughSeq: number; readonly clearedAt: string };
};

/** How a webhook renders comment events; every other event goes out as a Parley envelope. */
export type WebhookFormat = 'parley' | 'qiscus';

export type WebhookRegistered = {
  readonly type: 'WebhookRegistered';
  readonly data: {
    readonly webhookId: string;
    readonly url: string;
    readonly events: readonly string[];
    /**
     * HMAC key of the deliveries; kept in the log because delivery must be
     * able to sign any replay, sealed with the webhook's own key (null once
     * the webhook is removed and its key destroyed).
     */
    readonly secret: Erasable<string>;
    readonly format: WebhookFormat;
    readonly registeredBy: string;
    readonly registeredAt: string;
  };
};
export type WebhookUpdated = {
  readonly type: 'WebhookUpdated';
  readonly data: {
    readonly webhookId: string;
    /** The whole configuration after the change; `secret` is null when it stayed the same. */
    readonly url: string;
    readonly events: readonly string[];
    readonly format: WebhookFormat;
    readonly secret: string | null;
    readonly updatedBy: string;
    readonly updatedAt: string;
  };
};
export type WebhookRemoved = {
  readonly type: 'WebhookRemoved';
  readonly data: { readonly webhookId: string; readonly removedBy: string; readonly removedAt: string };
};
export type WebhookPaused = {
  readonly type: 'WebhookPaused';
  readonly data: {
    readonly webhookId: string;
    /** `failures`: delivery gave up after the configured attempts; `admin`: paused by hand. */
    readonly reason: 'failures' | 'admin';
    readonly lastError: string | null;
    /** Position (decimal) of the event that could not be delivered. */
    readonly stuckAt: string | null;
    readonly attempts: number;
    readonly pausedBy: string;
    readonly pausedAt: string;
  };
};
export type WebhookResumed = {
  readonly type: 'WebhookResumed';
  readonly data: {
    readonly webhookId: string;
    /** A replay: delivery restarts at this position (decimal). Null resumes where it stopped. */
    readonly from: string | null;
    readonly resumedBy: string;
    readonly resumedAt: string;
  };
};
export type WebhookEvent = WebhookRegistered | WebhookUpdated | WebhookRemoved | WebhookPaused | WebhookResumed;

/** What an export or import job covers, after Qiscus' resources. */
export type JobResource = 'users' | 'rooms' | 'comments';

/** One refused row of an import file; `row` counts from 1 (the first element of the JSON array). */
export interface ImportRowError {
  readonly row: number;
  readonly field: string;
  readonly reason: string;
}

export type ExportJobRequested = {
  readonly type: 'ExportJobRequested';
  readonly data: {
    readonly jobId: string;
    readonly resource: JobResource;
    /** Inclusive start and exclusive end of the records' own times, ISO 8601 UTC. */
    readonly startDate: string;
    readonly endDate: string;
    readonly requestedBy: string;
    readonly requestedAt: string;
  };
};
export type ExportJobCompleted = {
  readonly type: 'ExportJobCompleted';
  readonly data: {
    readonly jobId: string;
    readonly totalRows: number;
    /** Bytes of the file written. */
    readonly size: number;
    /** File name under DATA_DIR/exports. */
    readonly file: string;
    readonly completedAt: string;
  };
};
export type ExportJobFailed = {
  readonly type: 'ExportJobFailed';
  readonly data: { readonly jobId: string; readonly error: string; readonly failedAt: string };
};
export type ExportJobDeleted = {
  readonly type: 'ExportJobDeleted';
  readonly data: { readonly jobId: string; readonly deletedBy: string; readonly deletedAt: string };
};
/** The file of a finished export was removed because an account it named was erased; the job stays listed. */
export type ExportJobPurged = {
  readonly type: 'ExportJobPurged';
  readonly data: { readonly jobId: string; readonly reason: 'erasure'; readonly purgedAt: string };
};
export type ExportJobEvent = ExportJobRequested | ExportJobCompleted | ExportJobFailed | ExportJobDeleted | ExportJobPurged;

export type ImportJobRequested = {
  readonly type: 'ImportJobRequested';
  readonly data: {
    readonly jobId: string;
    readonly resource: JobResource;
    readonly filename: string;
    readonly size: number;
    readonly rows: number;
    /** SHA-256 (hex) of the rows as stored under DATA_DIR/imports. */
    readonly sha256: string;
    readonly requestedBy: string;
    readonly requestedAt: string;
  };
};
export type ImportJobCompleted = {
  readonly type: 'ImportJobCompleted';
  readonly data: {
    readonly jobId: string;
    /** Rows that became events now. */
    readonly written: number;
    /** Rows already imported before (same content key): nothing written for them. */
    readonly skipped: number;
    readonly completedAt: string;
  };
};
export type ImportJobFailed = {
  readonly type: 'ImportJobFailed';
  readonly data: {
    readonly jobId: string;
    /** The first refused rows (at most 1000); `errorCount` counts them all. */
    readonly errors: readonly ImportRowError[];
    readonly errorCount: number;
    /** Rows written before a failure during the write phase; 0 when validation refused the file. */
    readonly written: number;
    readonly failedAt: string;
  };
};
export type ImportJobEvent = ImportJobRequested | ImportJobCompleted | ImportJobFailed;

/** Whether a member is away from home (Warmshowers' availability). */
export interface MemberAvailability {
  /** True while the member cannot host. */
  readonly notCurrentlyAvailable: boolean;
  /** When they expect to host again (a date, YYYY-MM-DD), or null. */
  readonly becomeAvailable: string | null;
}
/** What a host offers guests; every flag false and `maxGuests` 0 offers nothing. */
export interface HostOffers {
  readonly maxGuests: number;
  readonly bed: boolean;
  readonly shower: boolean;
  readonly kitchen: boolean;
  readonly laundry: boolean;
  readonly lawnSpace: boolean;
  readonly food: boolean;
  readonly storage: boolean;
  readonly sag: boolean;
  readonly campground: boolean;
  readonly motel: boolean;
  readonly bikeShop: boolean;
}
/** A member's profile in a community of hosts (Warmshowers); personal data of the member as a whole. */
export interface MemberProfile {
  readonly fullName: string;
  readonly about: string;
  /** Free text, as members write it ("English, Français"). */
  readonly languagesSpoken: string;
  readonly city: string;
  readonly province: string;
  /** ISO 3166-1 alpha-2, lower case, or empty. */
  readonly country: string;
  readonly postalCode: string;
  /** Rounded to `coordinatePrecision` decimals when written; null without a place. */
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** Decimals kept of the coordinates (0 = about 100 km, 2 = about 1 km, 6 = exact). */
  readonly coordinatePrecision: number;
  /** Listed by search (keyword and map area); a member who is not findable is still shown by id. */
  readonly findable: boolean;
  readonly availability: MemberAvailability;
  readonly offers: HostOffers;
}
/** Stream `member-profile-<userId>`: the whole profile after each change. */
export type MemberProfileChanged = {
  readonly type: 'MemberProfileChanged';
  readonly data: {
    readonly userId: string;
    readonly profile: Erasable<MemberProfile>;
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
/**
 * The organisation (Trillian's groups, peers and policies), stream `org`: one
 * small aggregate, so that a group made its own ancestor, a peer of a group
 * that does not exist or a policy still bound are decided on one fold. Ids
 * are small integers the decider hands out in order, as Trillian's are.
 */
export interface OrgGroupFields {
  readonly displayName: string;
  /** Internal, unique among live groups. */
  readonly name: string;
  readonly parentId: number | null;
  readonly policyId: number | null;
  /** Higher wins when a user's groups' policies disagree (see effective-policy.ts). */
  readonly priority: number;
  /** Bound to an LDAP object (Trillian's `type` 1). */
  readonly ldap: boolean;
}
export type OrgGroupCreated = {
  readonly type: 'OrgGroupCreated';
  readonly data: OrgGroupFields & { readonly groupId: number; readonly createdBy: string; readonly createdAt: string };
};
/** The whole group after the change. */
export type OrgGroupChanged = {
  readonly type: 'OrgGroupChanged';
  readonly data: OrgGroupFields & { readonly groupId: number; readonly changedBy: string; readonly changedAt: string };
};
/** Its peerings (both ways) and memberships end with it. */
export type OrgGroupDeleted = {
  readonly type: 'OrgGroupDeleted';
  readonly data: { readonly groupId: number; readonly deletedBy: string; readonly deletedAt: string };
};
/** Members of `groupId` see the members of `peerId` in their directory (one way; a group may peer with itself). */
export type OrgGroupsPeered = {
  readonly type: 'OrgGroupsPeered';
  readonly data: { readonly groupId: number; readonly peerId: number; readonly peeredBy: string; readonly peeredAt: string };
};
export type OrgGroupsUnpeered = {
  readonly type: 'OrgGroupsUnpeered';
  readonly data: { readonly groupId: number; readonly peerId: number; readonly unpeeredBy: string; readonly unpeeredAt: string };
};
export type OrgMemberAssigned = {
  readonly type: 'OrgMemberAssigned';
  readonly data: { readonly groupId: number; readonly userId: string; readonly assignedBy: string; readonly assignedAt: string };
};
export type OrgMemberUnassigned = {
  readonly type: 'OrgMemberUnassigned';
  readonly data: { readonly groupId: number; readonly userId: string; readonly unassignedBy: string; readonly unassignedAt: string };
};
/** One `key value` line of a policy, in the order given. */
export interface PolicyItem {
  readonly key: string;
  readonly value: string;
}
export type OrgPolicyDefined = {
  readonly type: 'OrgPolicyDefined';
  readonly data: {
    readonly policyId: number;
    readonly name: string;
    readonly items: readonly PolicyItem[];
    readonly definedBy: string;
    readonly definedAt: string;
  };
};
/** The whole policy after the change. */
export type OrgPolicyChanged = {
  readonly type: 'OrgPolicyChanged';
  readonly data: {
    readonly policyId: number;
    readonly name: string;
    readonly items: readonly PolicyItem[];
    readonly changedBy: string;
    readonly changedAt: string;
  };
};
export type FeedbackRating = 'positive' | 'neutral' | 'negative';
export const FEEDBACK_RATINGS: readonly FeedbackRating[] = ['positive', 'neutral', 'negative'];
/** How the author met the member the feedback is about. */
export type FeedbackRelation = 'guest' | 'host' | 'met_traveling' | 'other';
export const FEEDBACK_RELATIONS: readonly FeedbackRelation[] = ['guest', 'host', 'met_traveling', 'other'];
/** Stream `feedback-<authorId>-<subjectId>`: one member's feedback about another, one per stay. */
export type FeedbackLeft = {
  readonly type: 'FeedbackLeft';
  readonly data: {
    readonly feedbackId: string;
    readonly authorId: string;
    readonly subjectId: string;
    readonly rating: FeedbackRating;
    /** Personal data of the author. */
    readonly body: Erasable<string>;
    /** The stay, by month: YYYY-MM. */
    readonly stay: string;
    /** What the author was to the subject. */
    readonly relation: FeedbackRelation;
    readonly leftAt: string;
  };
};
export type CommunityEvent = MemberProfileChanged | FeedbackLeft;
export type OrgPolicyDeleted = {
  readonly type: 'OrgPolicyDeleted';
  readonly data: { readonly policyId: number; readonly deletedBy: string; readonly deletedAt: string };
};
export type OrgEvent =
  | OrgGroupCreated
  | OrgGroupChanged
  | OrgGroupDeleted
  | OrgGroupsPeered
  | OrgGroupsUnpeered
  | OrgMemberAssigned
  | OrgMemberUnassigned
  | OrgPolicyDefined
  | OrgPolicyChanged
  | OrgPolicyDeleted;

export type CommentEvent = CommentPosted;
export type CommentLifecycleEvent = CommentDeleted;
export type ReadStateEvent = RoomRead | RoomMarkedUnread;
export type HistoryClearEvent = HistoryCleared;

export type ParleyEvent =
  | UserEvent
  | TokenEvent
  | ApiKeyEvent
  | ApplicationEvent
  | ContactEvent
  | BlockEvent
  | PresenceEvent
  | RoomEvent
  | CommentEvent
  | CommentLifecycleEvent
  | ReadStateEvent
  | HistoryClearEvent
  | WebhookEvent
  | ExportJobEvent
  | ImportJobEvent
  | MediaEvent
  | CommunityEvent
  | OrgEvent;
export type ParleyEventType = ParleyEvent['type'];

/** Current schema version of each event type; bump it with an upcaster below. */
export const EVENT_VERSIONS: { readonly [K in ParleyEventType]: number } = {
  UsernameClaimed: 1,
  ApplicationUserCreated: 1,
  UserPropertiesChanged: 1,
  UserRegistered: 1,
  PhoneClaimed: 1,
  EmailClaimed: 1,
  EmailChanged: 1,
  PhoneAccountCreated: 2,
  VerificationCodeIssued: 1,
  VerificationCodeFailed: 1,
  PhoneVerified: 1,
  PasswordChanged: 1,
  ProfileUpdated: 1,
  StatusMessageChanged: 1,
  ProfilePhotoChanged: 1,
  PrivacySettingsChanged: 1,
  UserRemoved: 1,
  TokenFamilyStarted: 2,
  RefreshTokenRotated: 1,
  TokenFamilyRevoked: 1,
  ApiKeyCreated: 1,
  ApiKeyRevoked: 1,
  ApplicationRegistered: 1,
  ApplicationRemoved: 1,
  ContactAdded: 1,
  ContactsImported: 1,
  ContactRenamed: 1,
  ContactsRemoved: 1,
  ContactsSyncRequested: 1,
  ContactBlocked: 1,
  ContactUnblocked: 1,
  BlockListReplaced: 1,
  PresenceChanged: 1,
  RoomCreated: 3,
  MemberInvited: 1,
  RoomClosed: 1,
  RoomPropertiesChanged: 1,
  MemberAdded: 1,
  MemberRemoved: 1,
  MemberLeft: 1,
  MemberRoleChanged: 1,
  MemberMuteChanged: 1,
  RoomRenamed: 1,
  RoomTopicChanged: 1,
  RoomAvatarChanged: 1,
  RoomPermissionsChanged: 1,
  RoomHistoryVisibilityChanged: 1,
  RoomListingChanged: 1,
  MemberVoiceChanged: 1,
  HistoryDeleted: 1,
  CommentPosted: 1,
  CommentDeleted: 1,
  RoomRead: 1,
  RoomMarkedUnread: 1,
  HistoryCleared: 1,
  WebhookRegistered: 1,
  WebhookUpdated: 1,
  WebhookRemoved: 1,
  WebhookPaused: 1,
  WebhookResumed: 1,
  ExportJobRequested: 1,
  ExportJobCompleted: 1,
  ExportJobFailed: 1,
  ExportJobDeleted: 1,
  ExportJobPurged: 1,
  ImportJobRequested: 1,
  ImportJobCompleted: 1,
  ImportJobFailed: 1,
  MediaUploaded: 1,
  MediaAttached: 1,
  MediaDeleted: 1,
  MemberProfileChanged: 1,
  FeedbackLeft: 1,
  OrgGroupCreated: 1,
  OrgGroupChanged: 1,
  OrgGroupDeleted: 1,
  OrgGroupsPeered: 1,
  OrgGroupsUnpeered: 1,
  OrgMemberAssigned: 1,
  OrgMemberUnassigned: 1,
  OrgPolicyDefined: 1,
  OrgPolicyChanged: 1,
  OrgPolicyDeleted: 1,
};

export const isParleyEventType = (type: string): type is ParleyEventType =>
  Object.prototype.hasOwnProperty.call(EVENT_VERSIONS, type);

/**
 * Turns a stored `{ type, version, data }` into the current shape. Stored events
 * are never rewritten; every version ever written must stay readable here.
 */
export function upcast(type: string, version: number, data: unknown): ParleyEvent | null {
  if (!isParleyEventType(type)) return null;
  if (version > EVENT_VERSIONS[type]) {
    throw new Error(`Event ${type} has version ${version}, newer than this build knows (${EVENT_VERSIONS[type]})`);
  }
  switch (type) {
    case 'RoomCreated':
      // v1 rooms showed their whole history to every member; before v3 no application owned a room.
      return {
        type,
        data: {
          ...(version < 2 ? { historyVisibility: DEFAULT_HISTORY_VISIBILITY } : {}),
          ...(version < 3 ? { applicationId: null } : {}),
          ...(data as object),
        },
      } as ParleyEvent;
    case 'PhoneAccountCreated':
      // v1 accounts were each their own login.
      return version < 2 ? ({ type, data: { loginId: null, ...(data as object) } } as ParleyEvent) : ({ type, data } as ParleyEvent);
    case 'TokenFamilyStarted':
      // v1 did not record the client.
      return version < 2 ? ({ type, data: { client: null, ...(data as object) } } as ParleyEvent) : ({ type, data } as ParleyEvent);
    default:
      return { type, data } as ParleyEvent;
  }
}
