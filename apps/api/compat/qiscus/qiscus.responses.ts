import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_RESPONSES, ErrorDetailDto, type ErrorStatus } from '../../common/openapi';

const INT = { type: 'integer', minimum: 0 } as const;
const OPEN = { type: 'object', additionalProperties: true } as const;

/** Qiscus' error answer with Parley's error body beside it (QiscusExceptionFilter). */
export class QiscusErrorMessage {
  @ApiProperty() message!: string;
}
export class QiscusErrorResponse {
  @ApiProperty({ type: 'integer' }) status!: number;
  @ApiProperty({ type: QiscusErrorMessage }) error!: QiscusErrorMessage;
  @ApiProperty({ type: 'integer' }) statusCode!: number;
  @ApiProperty({ example: 'ROOM.NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [ErrorDetailDto] }) details?: ErrorDetailDto[];
}

/** Error statuses of a Qiscus operation, in Qiscus' shape. */
export const QiscusErrors = (...statuses: ErrorStatus[]) =>
  applyDecorators(
    ApiExtraModels(QiscusErrorResponse),
    ...[...new Set(statuses)].map((status) =>
      ApiResponse({ status, description: ERROR_RESPONSES[status], content: { 'application/json': { schema: { $ref: getSchemaPath(QiscusErrorResponse) } } } }),
    ),
  );

export class QiscusUserView {
  @ApiProperty(INT) id!: number;
  @ApiProperty() email!: string;
  @ApiProperty({ description: 'The display name' }) username!: string;
  @ApiProperty() avatar_url!: string;
  @ApiProperty({ description: 'Sent as QISCUS-SDK-TOKEN by the client SDK' }) token!: string;
}
export class QiscusLoginResults {
  @ApiProperty({ type: QiscusUserView }) user!: QiscusUserView;
}
export class QiscusLoginResponse {
  @ApiProperty({ type: QiscusLoginResults }) results!: QiscusLoginResults;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusRoomSummaryView {
  @ApiProperty() creator!: string;
  @ApiProperty({ type: [String] }) participants!: string[];
  @ApiProperty(INT) room_id!: number;
  @ApiProperty() room_name!: string;
  @ApiProperty({ enum: ['group', 'single'] }) room_type!: string;
}
export class QiscusRoomSummaryResponse {
  @ApiProperty({ type: QiscusRoomSummaryView }) results!: QiscusRoomSummaryView;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusClearedRoomsResults {
  @ApiProperty({ type: [QiscusRoomSummaryView], description: "The rooms whose history was cleared for the user" }) rooms!: QiscusRoomSummaryView[];
}
export class QiscusClearedRoomsResponse {
  @ApiProperty({ type: QiscusClearedRoomsResults }) results!: QiscusClearedRoomsResults;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusCommentView {
  @ApiProperty(INT) id!: number;
  @ApiProperty({ ...INT, description: '0 for the first comment of a room' }) comment_before_id!: number;
  @ApiProperty() message!: string;
  @ApiProperty() disable_link_preview!: boolean;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
  @ApiProperty() user_avatar_url!: string;
  @ApiProperty({ example: '2017-02-07T19:01:00Z' }) timestamp!: string;
  @ApiProperty() unique_temp_id!: string;
  @ApiPropertyOptional({ description: 'Present when not text' }) type?: string;
  @ApiPropertyOptional(OPEN) payload?: Record<string, unknown>;
  @ApiPropertyOptional(INT) room_id?: number;
  @ApiPropertyOptional() room_name?: string;
}
export class QiscusPostCommentResults {
  @ApiProperty({ type: QiscusCommentView }) comment!: QiscusCommentView;
}
export class QiscusPostCommentResponse {
  @ApiProperty({ type: QiscusPostCommentResults }) results!: QiscusPostCommentResults;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusCommentsResults {
  @ApiProperty({ type: [QiscusCommentView] }) comments!: QiscusCommentView[];
}
export class QiscusCommentsResponse {
  @ApiProperty({ type: QiscusCommentsResults }) results!: QiscusCommentsResults;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusParticipantView {
  @ApiProperty() avatar_url!: string;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
}
export class QiscusRoomView {
  @ApiProperty() avatar_url!: string;
  @ApiProperty({ enum: ['group', 'single'] }) chat_type!: string;
  @ApiProperty(INT) id!: number;
  @ApiProperty(INT) last_comment_id!: number;
  @ApiProperty() last_comment_message!: string;
  @ApiProperty(INT) last_topic_id!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Always null here' }) options!: null;
  @ApiProperty({ type: [QiscusParticipantView] }) participants!: QiscusParticipantView[];
  @ApiProperty() room_name!: string;
}
export class QiscusRoomWithCommentsResults {
  @ApiProperty({ type: [QiscusCommentView] }) comments!: QiscusCommentView[];
  @ApiProperty({ type: QiscusRoomView }) room!: QiscusRoomView;
}
export class QiscusRoomWithCommentsResponse {
  @ApiProperty({ type: QiscusRoomWithCommentsResults }) results!: QiscusRoomWithCommentsResults;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusRoomInfoView {
  @ApiProperty(INT) last_comment_id!: number;
  @ApiProperty() last_comment_message!: string;
  @ApiProperty({ example: '0001-01-01T00:00:00Z' }) last_comment_timestamp!: string;
  @ApiProperty(INT) room_id!: number;
  @ApiProperty() room_name!: string;
  @ApiProperty({ enum: ['group', 'single'] }) room_type!: string;
  @ApiProperty(INT) unread_count!: number;
}
export class QiscusRoomsInfoResults {
  @ApiProperty({ type: [QiscusRoomInfoView] }) rooms_info!: QiscusRoomInfoView[];
}
export class QiscusRoomsInfoResponse {
  @ApiProperty({ type: QiscusRoomsInfoResults }) results!: QiscusRoomsInfoResults;
  @ApiProperty({ example: 200 }) status!: number;
}

export class QiscusAvatarUrl {
  @ApiProperty() url!: string;
}
export class QiscusAvatar {
  @ApiProperty({ type: QiscusAvatarUrl }) avatar!: QiscusAvatarUrl;
}
export class QiscusSystemCommentView {
  @ApiProperty(INT) comment_before_id!: number;
  @ApiProperty() disable_link_preview!: boolean;
  @ApiProperty() email!: string;
  @ApiProperty(INT) id!: number;
  @ApiProperty() message!: string;
  @ApiProperty(OPEN) payload!: Record<string, unknown>;
  @ApiProperty(INT) room_id!: number;
  @ApiProperty() timestamp!: string;
  @ApiProperty(INT) topic_id!: number;
  @ApiProperty({ example: 'system_event' }) type!: string;
  @ApiProperty() unique_temp_id!: string;
  @ApiProperty(INT) unix_timestamp!: number;
  @ApiProperty({ type: QiscusAvatar }) user_avatar!: QiscusAvatar;
  @ApiProperty() user_avatar_url!: string;
  @ApiProperty(INT) user_id!: number;
  @ApiProperty() username!: string;
}
export class QiscusSystemEventResults {
  @ApiProperty({ type: QiscusSystemCommentView }) comment!: QiscusSystemCommentView;
}
export class QiscusSystemEventResponse {
  @ApiProperty({ type: QiscusSystemEventResults }) results!: QiscusSystemEventResults;
  @ApiProperty({ example: 200 }) status!: number;
}

/** The request bodies as the seed lists them (JSON or form; lists as `field[]`). */
export class QiscusLoginBody {
  @ApiProperty() email!: string;
  @ApiPropertyOptional() password?: string;
  @ApiProperty() username!: string;
  @ApiPropertyOptional() avatar_url?: string;
  @ApiPropertyOptional() device_token?: string;
  @ApiPropertyOptional({ enum: ['ios', 'android'] }) device_platform?: string;
}
export class QiscusCreateRoomBody {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], description: 'Emails; also as participants[]' }) participants!: string[];
  @ApiProperty() creator!: string;
}
export class QiscusRoomsInfoBody {
  @ApiProperty({ type: [String], description: 'Room ids; also as room_id[]' }) room_id!: string[];
  @ApiProperty() user_email!: string;
}
export class QiscusClearRoomsBody {
  @ApiProperty({ description: 'The email of the user whose history is cleared' }) user_id!: string;
  @ApiPropertyOptional({ type: [String], description: "The rooms' unique ids (or integer ids), at most 100" }) room_channel_ids?: string[];
  @ApiPropertyOptional({ type: [String], description: 'The rooms’ integer ids, when room_channel_ids is absent' }) room_ids?: string[];
}
export class QiscusParticipantsBody {
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiProperty({ type: [String] }) emails!: string[];
}
export class QiscusPostCommentBody {
  @ApiProperty() sender_email!: string;
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiProperty() message!: string;
  @ApiPropertyOptional() type?: string;
  @ApiPropertyOptional(OPEN) payload?: Record<string, unknown>;
  @ApiPropertyOptional({ description: "The client's key: a retry with it yields the same comment" }) unique_temp_id?: string;
}
export class QiscusLoadCommentsBody {
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiPropertyOptional({ type: 'integer' }) page?: number;
  @ApiPropertyOptional({ type: 'integer', default: 20 }) limit?: number;
}
export class QiscusSystemEventBody {
  @ApiProperty({ enum: ['create_room', 'add_member', 'join_room', 'remove_member', 'left_room', 'change_room_name', 'change_room_avatar'] })
  system_event_type!: string;
  @ApiProperty({ type: 'integer' }) room_id!: number;
  @ApiProperty() subject_email!: string;
  @ApiPropertyOptional({ type: [String] }) object_email?: string[];
  @ApiPropertyOptional() updated_room_name?: string;
}

/** The seed's backups (exports and imports). */
export class QiscusExportView {
  @ApiProperty({ example: '2017-07-17T10:19:44+00:00' }) created_at!: string;
  @ApiProperty({ description: 'Empty until finished; then a path of this server (same secret)' }) download_url!: string;
  @ApiProperty() error_message!: string;
  @ApiProperty() original_filename!: string;
  @ApiProperty({ ...INT, maximum: 100 }) percentage!: number;
  @ApiProperty({ enum: ['users', 'rooms', 'comments'] }) resource_name!: string;
  @ApiProperty(INT) size!: number;
  @ApiProperty({ enum: ['started', 'finished', 'failed'] }) status!: string;
  @ApiProperty(INT) total_rows!: number;
  @ApiProperty({ format: 'uuid' }) unique_id!: string;
}
export class QiscusExportResponse {
  @ApiProperty({ type: QiscusExportView }) results!: QiscusExportView;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusExportHistory {
  @ApiProperty({ type: QiscusExportView }) backup_history!: QiscusExportView;
}
export class QiscusExportHistoryResponse {
  @ApiProperty({ type: QiscusExportHistory }) results!: QiscusExportHistory;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusExportHistories {
  @ApiProperty({ type: [QiscusExportView] }) backup_histories!: QiscusExportView[];
}
export class QiscusExportHistoriesResponse {
  @ApiProperty({ type: QiscusExportHistories }) results!: QiscusExportHistories;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusImportRowError {
  @ApiProperty({ type: 'integer', minimum: 1 }) row!: number;
  @ApiProperty() field!: string;
  @ApiProperty() reason!: string;
}
export class QiscusImportErrors {
  @ApiProperty() Message!: string;
  @ApiProperty({ type: [QiscusImportRowError], nullable: true }) Data!: QiscusImportRowError[] | null;
}
export class QiscusImportView {
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: QiscusImportErrors }) errors!: QiscusImportErrors;
  @ApiProperty() original_filename!: string;
  @ApiProperty({ enum: ['users', 'rooms', 'comments'] }) resource_name!: string;
  @ApiProperty(INT) size!: number;
  @ApiProperty({ enum: ['started', 'finished', 'failed'] }) status!: string;
  @ApiProperty(INT) total_rows!: number;
  @ApiProperty({ format: 'uuid' }) unique_id!: string;
}
export class QiscusImportHistory {
  @ApiProperty({ type: QiscusImportView }) backup_history!: QiscusImportView;
}
export class QiscusImportHistoryResponse {
  @ApiProperty({ type: QiscusImportHistory }) results!: QiscusImportHistory;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusImportHistories {
  @ApiProperty({ type: [QiscusImportView] }) backup_histories!: QiscusImportView[];
}
export class QiscusImportHistoriesResponse {
  @ApiProperty({ type: QiscusImportHistories }) results!: QiscusImportHistories;
  @ApiProperty({ example: 200 }) status!: number;
}
export class QiscusExportBody {
  @ApiProperty({ enum: ['users', 'rooms', 'comments'] }) type!: string;
  @ApiProperty({ example: '2017-07-01' }) start_date!: string;
  @ApiProperty({ example: '2017-08-01' }) end_date!: string;
}
export class QiscusImportBody {
  @ApiProperty({ enum: ['users', 'rooms', 'comments'] }) type!: string;
  @ApiProperty({ type: 'string', format: 'binary', description: 'A JSON array of rows in the seed’s import format' }) file!: string;
}
