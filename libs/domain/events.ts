/**
 * Parley's domain events. The stored type name is the string literal in `type`,
 * never a class name; `version` is the schema version of `data` and old
 * versions are upcast when read (see `upcast`).
 */
export type RoomRole = 'owner' | 'operator' | 'member';
export type RoomKind = 'group' | 'direct';

/** What plain members (not operators or the owner) may do, after Trillian's group-chat flags. */
export interface RoomPermissions {
  readonly rename: boolean;
  readonly changeTopic: boolean;
  readonly addMembers: boolean;
  readonly removeMembers: boolean;
  readonly send: boolean;
}

export const DEFAULT_PERMISSIONS: RoomPermissions = {
  rename: true,
  changeTopic: true,
  addMembers: true,
  removeMembers: false,
  send: true,
};

export type UsernameClaimed = {
  readonly type: 'UsernameClaimed';
  readonly data: { readonly username: string; readonly userId: string };
};
export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
    readonly userId: string;
    readonly username: string;
    readonly displayName: string;
    readonly passwordHash: string;
    readonly registeredAt: string;
  };
};
export type UserEvent = UsernameClaimed | UserRegistered;

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
    readonly addedAt: string;
  };
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
export type RoomEvent =
  | RoomCreated
  | MemberAdded
  | MemberRemoved
  | MemberLeft
  | MemberRoleChanged
  | MemberMuteChanged
  | RoomRenamed
  | RoomTopicChanged
  | RoomAvatarChanged
  | RoomPermissionsChanged;

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

/** How a webhook renders comment events; every other event goes out as a Parley envelope. */
export type WebhookFormat = 'parley' | 'qiscus';

export type WebhookRegistered = {
  readonly type: 'WebhookRegistered';
  readonly data: {
    readonly webhookId: string;
    readonly url: string;
    readonly events: readonly string[];
    /** HMAC key of the deliveries; kept in the log because delivery must be able to sign any replay. */
    readonly secret: string;
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
export type ExportJobEvent = ExportJobRequested | ExportJobCompleted | ExportJobFailed | ExportJobDeleted;

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

export type CommentEvent = CommentPosted;
export type CommentLifecycleEvent = CommentDeleted;
export type ReadStateEvent = RoomRead | RoomMarkedUnread;

export type ParleyEvent =
  | UserEvent
  | RoomEvent
  | CommentEvent
  | CommentLifecycleEvent
  | ReadStateEvent
  | WebhookEvent
  | ExportJobEvent
  | ImportJobEvent;
export type ParleyEventType = ParleyEvent['type'];

/** Current schema version of each event type; bump it with an upcaster below. */
export const EVENT_VERSIONS: { readonly [K in ParleyEventType]: number } = {
  UsernameClaimed: 1,
  UserRegistered: 1,
  RoomCreated: 1,
  MemberAdded: 1,
  MemberRemoved: 1,
  MemberLeft: 1,
  MemberRoleChanged: 1,
  MemberMuteChanged: 1,
  RoomRenamed: 1,
  RoomTopicChanged: 1,
  RoomAvatarChanged: 1,
  RoomPermissionsChanged: 1,
  CommentPosted: 1,
  CommentDeleted: 1,
  RoomRead: 1,
  RoomMarkedUnread: 1,
  WebhookRegistered: 1,
  WebhookUpdated: 1,
  WebhookRemoved: 1,
  WebhookPaused: 1,
  WebhookResumed: 1,
  ExportJobRequested: 1,
  ExportJobCompleted: 1,
  ExportJobFailed: 1,
  ExportJobDeleted: 1,
  ImportJobRequested: 1,
  ImportJobCompleted: 1,
  ImportJobFailed: 1,
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
  return { type, data } as ParleyEvent;
}
