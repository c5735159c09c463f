import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The client SDK's answers (`/api/v2/sdk/*`), as `qiscus-sdk-core` reads them. */

const INT = { type: 'integer', minimum: 0 } as const;
const OPEN = { type: 'object', additionalProperties: true } as const;
const STATUS = { type: 'integer', example: 200 } as const;
const GROUP_OR_SINGLE = { enum: ['group', 'single'] } as const;

export class QiscusSdkConfigView {
  @ApiProperty({ description: 'Empty: the client keeps the base URL it was given' }) base_url!: string;
  @ApiProperty() broker_lb_url!: string;
  @ApiProperty() broker_url!: string;
  @ApiProperty() enable_event_report!: boolean;
  @ApiProperty({ description: 'Always false: Parley runs no MQTT broker; the SDK syncs over HTTP' }) enable_realtime!: boolean;
  @ApiProperty() enable_realtime_check!: boolean;
  @ApiProperty() enable_sync!: boolean;
  @ApiProperty() enable_sync_event!: boolean;
  @ApiProperty() auto_refresh_token!: boolean;
  @ApiProperty() extras!: string;
  @ApiProperty({ ...INT, description: 'Milliseconds between sync polls (QISCUS_SYNC_INTERVAL_MS)' }) sync_interval!: number;
  @ApiProperty(INT) sync_on_connect!: number;
}
export class QiscusSdkConfigResponse {
  @ApiProperty({ type: QiscusSdkConfigView }) results!: QiscusSdkConfigView;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkAvatarUrl {
  @ApiProperty() url!: string;
}
export class QiscusSdkAvatar {
  @ApiProperty({ type: QiscusSdkAvatarUrl }) avatar!: QiscusSdkAvatarUrl;
}
export class QiscusSdkProfileView {
  @ApiProperty({ ...INT, description: "The user's integer id" }) id!: number;
  @ApiProperty() id_str!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ description: 'The display name' }) username!: string;
  @ApiProperty() avatar_url!: string;
  @ApiProperty({ type: QiscusSdkAvatar }) avatar!: QiscusSdkAvatar;
  @ApiProperty(OPEN) extras!: Record<string, unknown>;
}
export class QiscusSdkProfileResults {
  @ApiProperty({ type: QiscusSdkProfileView }) user!: QiscusSdkProfileView;
}
export class QiscusSdkProfileResponse {
  @ApiProperty({ type: QiscusSdkProfileResults }) results!: QiscusSdkProfileResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkBlockedResults {
  @ApiProperty({ type: [QiscusSdkProfileView] }) blocked_users!: QiscusSdkProfileView[];
}
export class QiscusSdkBlockedResponse {
  @ApiProperty({ type: QiscusSdkBlockedResults }) results!: QiscusSdkBlockedResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkAppView {
  @ApiProperty() code!: string;
  @ApiProperty(INT) id!: number;
  @ApiProperty() id_str!: string;
  @ApiProperty() name!: string;
}
export class QiscusSdkSignedInView extends QiscusSdkProfileView {
  @ApiProperty({ description: 'A Parley access token, sent back as QISCUS-SDK-TOKEN' }) token!: string;
  @ApiProperty({ description: 'A Parley refresh token, for refresh_user_token' }) refresh_token!: string;
  @ApiProperty({ format: 'date-time' }) token_expires_at!: string;
  @ApiProperty({ ...INT, description: 'Where sync starts: the log position at sign-in' }) last_comment_id!: number;
  @ApiProperty(INT) last_sync_event_id!: number;
  @ApiProperty() pn_android_configured!: boolean;
  @ApiProperty() pn_ios_configured!: boolean;
  @ApiProperty() rtKey!: string;
  @ApiProperty({ type: QiscusSdkAppView }) app!: QiscusSdkAppView;
}
export class QiscusSdkLoginResults {
  @ApiProperty({ type: QiscusSdkSignedInView }) user!: QiscusSdkSignedInView;
}
export class QiscusSdkLoginResponse {
  @ApiProperty({ type: QiscusSdkLoginResults }) results!: QiscusSdkLoginResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkTokenView {
  @ApiProperty() token!: string;
  @ApiProperty() refresh_token!: string;
  @ApiProperty({ format: 'date-time' }) token_expires_at!: string;
}
export class QiscusSdkTokenResponse {
  @ApiProperty({ type: QiscusSdkTokenView }) results!: QiscusSdkTokenView;
  @ApiProperty(STATUS) status!: number;
}
export class QiscusSdkEmptyResponse {
  @ApiProperty(OPEN) results!: Record<string, unknown>;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkCommentView {
  @ApiProperty({ ...INT, description: 'The log position of the comment: increasing across the installation' }) id!: number;
  @ApiProperty({ ...INT, description: '0 for the first comment of a room' }) comment_before_id!: number;
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'text' }) type!: string;
  @ApiProperty(OPEN) payload!: Record<string, unknown>;
  @ApiProperty(OPEN) extras!: Record<string, unknown>;
  @ApiProperty() email!: string;
  @ApiProperty({ description: "The sender's email, as the SDK names users" }) user_id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() user_avatar_url!: string;
  @ApiProperty(OPEN) user_extras!: Record<string, unknown>;
  @ApiProperty(INT) room_id!: number;
  @ApiProperty(INT) topic_id!: number;
  @ApiProperty() room_name!: string;
  @ApiProperty(GROUP_OR_SINGLE) room_type!: string;
  @ApiProperty(GROUP_OR_SINGLE) chat_type!: string;
  @ApiProperty({ description: "The client's key (Parley's clientId), or Parley's comment id" }) unique_temp_id!: string;
  @ApiProperty() unique_id!: string;
  @ApiProperty({ example: '2017-02-07T19:01:00Z' }) timestamp!: string;
  @ApiProperty(INT) unix_timestamp!: number;
  @ApiProperty({ pattern: '^\\d+$' }) unix_nano_timestamp!: string;
  @ApiProperty({ enum: ['sent', 'read'], description: '`read` once every other member who shares read receipts read it' }) status!: string;
  @ApiProperty() is_deleted!: boolean;
  @ApiProperty() is_public_channel!: boolean;
  @ApiProperty() disable_link_preview!: boolean;
}
export class QiscusSdkCommentResults {
  @ApiProperty({ type: QiscusSdkCommentView }) comment!: QiscusSdkCommentView;
}
export class QiscusSdkCommentResponse {
  @ApiProperty({ type: QiscusSdkCommentResults }) results!: QiscusSdkCommentResults;
  @ApiProperty(STATUS) status!: number;
}
export class QiscusSdkCommentsResults {
  @ApiProperty({ type: [QiscusSdkCommentView] }) comments!: QiscusSdkCommentView[];
}
export class QiscusSdkCommentsResponse {
  @ApiProperty({ type: QiscusSdkCommentsResults }) results!: QiscusSdkCommentsResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkParticipantView {
  @ApiProperty(INT) id!: number;
  @ApiProperty() id_str!: string;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
  @ApiProperty() avatar_url!: string;
  @ApiProperty(OPEN) extras!: Record<string, unknown>;
}
class QiscusSdkRoomBase {
  @ApiProperty({ ...INT, description: "The room's integer id: the log position of its creation" }) id!: number;
  @ApiProperty() id_str!: string;
  @ApiProperty() room_name!: string;
  @ApiProperty(GROUP_OR_SINGLE) chat_type!: string;
  @ApiProperty(GROUP_OR_SINGLE) room_type!: string;
  @ApiProperty() avatar_url!: string;
  @ApiProperty() options!: string;
  @ApiProperty({ description: "Parley's room id" }) unique_id!: string;
  @ApiProperty() is_public_channel!: boolean;
  @ApiProperty(INT) room_total_participants!: number;
  @ApiProperty({ type: [QiscusSdkParticipantView] }) participants!: QiscusSdkParticipantView[];
}
export class QiscusSdkRoomView extends QiscusSdkRoomBase {
  @ApiProperty(INT) last_comment_id!: number;
  @ApiProperty() last_comment_message!: string;
  @ApiProperty(INT) last_topic_id!: number;
}
export class QiscusSdkRoomInfoBaseView extends QiscusSdkRoomBase {}
export class QiscusSdkClearedRoomsResults {
  @ApiProperty({ type: [QiscusSdkRoomInfoBaseView], description: 'The rooms whose history was cleared for the caller' }) rooms!: QiscusSdkRoomInfoBaseView[];
}
export class QiscusSdkClearedRoomsResponse {
  @ApiProperty({ type: QiscusSdkClearedRoomsResults }) results!: QiscusSdkClearedRoomsResults;
  @ApiProperty(STATUS) status!: number;
}
export class QiscusSdkRoomResults {
  @ApiProperty({ type: QiscusSdkRoomView }) room!: QiscusSdkRoomView;
  @ApiProperty({ type: [QiscusSdkCommentView], description: 'Newest first' }) comments!: QiscusSdkCommentView[];
}
export class QiscusSdkRoomResponse {
  @ApiProperty({ type: QiscusSdkRoomResults }) results!: QiscusSdkRoomResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkLastCommentView {
  @ApiProperty(INT) id!: number;
  @ApiProperty(INT) comment_before_id!: number;
  @ApiProperty() message!: string;
  @ApiProperty() type!: string;
  @ApiProperty(OPEN) payload!: Record<string, unknown>;
  @ApiProperty(INT) room_id!: number;
  @ApiProperty() room_name!: string;
  @ApiProperty() timestamp!: string;
  @ApiProperty(INT) unix_timestamp!: number;
  @ApiProperty() unique_temp_id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
  @ApiPropertyOptional(OPEN) extras?: Record<string, unknown>;
  @ApiPropertyOptional() user_id?: string;
  @ApiPropertyOptional() user_avatar_url?: string;
  @ApiPropertyOptional(OPEN) user_extras?: Record<string, unknown>;
  @ApiPropertyOptional(INT) topic_id?: number;
  @ApiPropertyOptional(GROUP_OR_SINGLE) room_type?: string;
  @ApiPropertyOptional(GROUP_OR_SINGLE) chat_type?: string;
  @ApiPropertyOptional() unique_id?: string;
  @ApiPropertyOptional() unix_nano_timestamp?: string;
  @ApiPropertyOptional() status?: string;
  @ApiPropertyOptional() is_deleted?: boolean;
  @ApiPropertyOptional() is_public_channel?: boolean;
  @ApiPropertyOptional() disable_link_preview?: boolean;
}
export class QiscusSdkRoomInfoView extends QiscusSdkRoomBase {
  @ApiProperty({ type: QiscusSdkLastCommentView, description: 'id 0 when the room has no comment' }) last_comment!: QiscusSdkLastCommentView;
  @ApiProperty(INT) unread_count!: number;
}
export class QiscusSdkRoomsMeta {
  @ApiProperty(INT) current_page!: number;
  @ApiProperty(INT) total_room!: number;
}
export class QiscusSdkRoomsResults {
  @ApiProperty({ type: QiscusSdkRoomsMeta }) meta!: QiscusSdkRoomsMeta;
  @ApiProperty({ type: [QiscusSdkRoomInfoView] }) rooms_info!: QiscusSdkRoomInfoView[];
}
export class QiscusSdkRoomsResponse {
  @ApiProperty({ type: QiscusSdkRoomsResults }) results!: QiscusSdkRoomsResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkUnreadResults {
  @ApiProperty(INT) total_unread_count!: number;
}
export class QiscusSdkUnreadResponse {
  @ApiProperty({ type: QiscusSdkUnreadResults }) results!: QiscusSdkUnreadResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkCommentStatusResults {
  @ApiProperty({ description: 'Whether the read marker moved' }) changed!: boolean;
  @ApiProperty(INT) last_comment_read_id!: number;
  @ApiProperty({ ...INT, description: 'Echoed: Parley keeps no delivery receipts' }) last_comment_received_id!: number;
  @ApiProperty() user_id!: string;
}
export class QiscusSdkCommentStatusResponse {
  @ApiProperty({ type: QiscusSdkCommentStatusResults }) results!: QiscusSdkCommentStatusResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkSyncMeta {
  @ApiProperty({ ...INT, description: 'Where the next sync starts (how far the log was read)' }) last_received_comment_id!: number;
  @ApiProperty() need_clear!: boolean;
}
export class QiscusSdkSyncResults {
  @ApiProperty({ type: [QiscusSdkCommentView], description: 'Oldest first' }) comments!: QiscusSdkCommentView[];
  @ApiProperty({ type: QiscusSdkSyncMeta }) meta!: QiscusSdkSyncMeta;
}
export class QiscusSdkSyncResponse {
  @ApiProperty({ type: QiscusSdkSyncResults }) results!: QiscusSdkSyncResults;
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkEventActor {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
}
export class QiscusSdkEventPayload {
  @ApiProperty({ type: QiscusSdkEventActor }) actor!: QiscusSdkEventActor;
  @ApiProperty({ ...OPEN, description: 'delete_message: { deleted_messages: [{ room_id, message_unique_ids }], is_hard_delete }; clear_room: { deleted_rooms: [room] }; read: { comment_id, comment_unique_id, email, room_id }' }) data!: Record<string, unknown>;
}
export class QiscusSdkEventView {
  @ApiProperty({ ...INT, description: 'The log position of the event' }) id!: number;
  @ApiProperty({ enum: ['delete_message', 'clear_room', 'read', 'sync_cursor'], description: '`sync_cursor` carries only how far the log was read' }) action_topic!: string;
  @ApiProperty({ ...INT, description: 'Nanoseconds since the epoch' }) timestamp!: number;
  @ApiProperty({ type: QiscusSdkEventPayload }) payload!: QiscusSdkEventPayload;
}
export class QiscusSdkSyncEventResponse {
  @ApiProperty({ type: [QiscusSdkEventView] }) events!: QiscusSdkEventView[];
  @ApiProperty(STATUS) status!: number;
}

export class QiscusSdkParticipantsAddedResults {
  @ApiProperty({ type: [QiscusSdkParticipantView] }) participants_added!: QiscusSdkParticipantView[];
}
export class QiscusSdkParticipantsAddedResponse {
  @ApiProperty({ type: QiscusSdkParticipantsAddedResults }) results!: QiscusSdkParticipantsAddedResults;
  @ApiProperty(STATUS) status!: number;
}
export class QiscusSdkParticipantsRemovedResults {
  @ApiProperty({ type: [String] }) participants_removed!: string[];
}
export class QiscusSdkParticipantsRemovedResponse {
  @ApiProperty({ type: QiscusSdkParticipantsRemovedResults }) results!: QiscusSdkParticipantsRemovedResults;
  @ApiProperty(STATUS) status!: number;
}

/** Request bodies (forms as the SDK's encoder writes them, or JSON where it sends JSON). */
export class QiscusSdkLoginBody {
  @ApiProperty() email!: string;
  @ApiProperty({ description: "The SDK's user key: the account's password" }) password!: string;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() avatar_url?: string;
  @ApiPropertyOptional({ description: 'JSON text; not kept' }) extras?: string;
}
export class QiscusSdkRefreshBody {
  @ApiPropertyOptional() user_id?: string;
  @ApiProperty() refresh_token!: string;
}
export class QiscusSdkLogoutBody {
  @ApiPropertyOptional() user_id?: string;
  @ApiPropertyOptional() token?: string;
}
export class QiscusSdkCreateRoomBody {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], description: 'Emails; as participants[][0]=… from the SDK' }) participants!: string[];
  @ApiPropertyOptional() avatar_url?: string;
  @ApiPropertyOptional({ description: 'JSON text; not kept' }) options?: string;
}
export class QiscusSdkTargetBody {
  @ApiProperty({ description: "The other user's email" }) emails!: string;
  @ApiPropertyOptional({ description: 'JSON text; not kept' }) options?: string;
}
export class QiscusSdkPostCommentBody {
  @ApiProperty() comment!: string;
  @ApiProperty({ description: 'The room id' }) topic_id!: string;
  @ApiPropertyOptional({ description: "The client's key: a retry with it yields the same comment" }) unique_temp_id?: string;
  @ApiPropertyOptional({ example: 'text' }) type?: string;
  @ApiPropertyOptional(OPEN) payload?: Record<string, unknown>;
  @ApiPropertyOptional({ ...OPEN, description: 'Not kept' }) extras?: Record<string, unknown>;
}
export class QiscusSdkCommentStatusBody {
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiPropertyOptional({ type: 'integer' }) last_comment_read_id?: number;
  @ApiPropertyOptional({ type: 'integer' }) last_comment_received_id?: number;
}
export class QiscusSdkDeleteBody {
  @ApiProperty({ type: [String] }) unique_ids!: string[];
  @ApiPropertyOptional() is_delete_for_everyone?: boolean;
  @ApiPropertyOptional() is_hard_delete?: boolean;
}
export class QiscusSdkClearRoomsBody {
  @ApiProperty({ type: [String], description: "The rooms' unique ids (or integer ids), at most 100" }) room_channel_ids!: string[];
}
export class QiscusSdkParticipantsBody {
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiProperty({ type: [String], description: 'As emails[]' }) emails!: string[];
}
export class QiscusSdkProfileBody {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() avatar_url?: string;
  @ApiPropertyOptional({ description: 'JSON text; not kept' }) extras?: string;
}
export class QiscusSdkBlockBody {
  @ApiProperty() user_email!: string;
}
