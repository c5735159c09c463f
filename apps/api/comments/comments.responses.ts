import type { ClearHistoryResult } from '../read-state/clear-history.command';
import type { ReceiptsView, ReceiptView } from '../read-state/receipts.query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import type { ReadResult } from '../read-state/mark-read.command';
import type { CommentView, TimelineItemView } from './comment-views';
import type { TimelineItemWithSender, TimelinePage } from './comments.queries';
import type { DeletedComment } from './delete-comment.command';

const PAYLOAD = { type: 'object', additionalProperties: true, nullable: true, description: 'The application payload, as posted; once deleted null, or only the type of an application’s custom event (custom:<name>)' } as const;

export class AttachmentThumbnailResponse {
  @ApiProperty({ enum: [64, 256, 1024] }) size!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) width!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) height!: number;
  @ApiProperty() url!: string;
}

export class AttachmentResponse {
  @ApiProperty(UUID) mediaId!: string;
  @ApiProperty({ example: 'image/jpeg' }) type!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) size!: number;
  @ApiProperty({ type: 'integer', nullable: true }) width!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) height!: number | null;
  @ApiProperty({ example: '/v1/media/1b4e28ba-2fa1-11d2-883f-0016d3cca427' }) url!: string;
  @ApiProperty({ type: [AttachmentThumbnailResponse] }) thumbnails!: AttachmentThumbnailResponse[];
}

export class CommentResponse implements CommentView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, description: 'Order in the room; gap-free' }) seq!: number | null;
  @ApiProperty({ ...UUID, nullable: true, description: 'The comment before it in the room' }) previousId!: string | null;
  @ApiProperty({ type: String, description: 'A user id; for system items of an application’s room, application:<id>' }) senderId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once deleted' }) text!: string | null;
  @ApiProperty({ example: 'text' }) type!: string;
  @ApiProperty(PAYLOAD) payload!: Record<string, unknown> | null;
  @ApiProperty({ ...UUID, nullable: true }) replyTo!: string | null;
  @ApiProperty({ type: String, nullable: true }) clientId!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty() deleted!: boolean;
  @ApiProperty({ type: [AttachmentResponse], description: 'Media attached (empty once the comment is deleted)' }) attachments!: AttachmentResponse[];
}

export class SystemEventResponse {
  @ApiProperty({ example: 'member_added' }) kind!: string;
  @ApiProperty() actorId!: string;
  @ApiPropertyOptional() subjectId?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) topic?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) avatarUrl?: string | null;
}

export class SenderResponse {
  @ApiProperty({ type: String, description: 'A user id, or application:<id>' }) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty() removed!: boolean;
}

export class TimelineItemResponse extends CommentResponse implements TimelineItemWithSender {
  @ApiProperty({ enum: ['comment', 'system'] }) kind!: TimelineItemView['kind'];
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The item’s event id in the room: dense and increasing over comments and system items' })
  eventId!: number;
  @ApiPropertyOptional({ type: SystemEventResponse, description: 'For system items' }) systemEvent?: SystemEventResponse;
  @ApiPropertyOptional(DATE_TIME) deletedAt?: string;
  @ApiPropertyOptional() deletedBy?: string;
  @ApiProperty({ type: SenderResponse }) sender!: SenderResponse;
}

export class TimelinePageResponse implements TimelinePage {
  @ApiProperty({ type: [TimelineItemResponse] }) items!: TimelineItemResponse[];
  @ApiProperty({ description: 'Older items exist before the first one' }) hasMoreBefore!: boolean;
  @ApiProperty({ description: 'Newer items exist after the last one' }) hasMoreAfter!: boolean;
}

export class DeletedCommentResponse implements DeletedComment {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) seq!: number;
  @ApiProperty({ enum: [true] }) deleted!: true;
  @ApiProperty(POSITION) position!: string;
}

export class ReadResultResponse implements ReadResult {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty(WHOLE) lastReadSeq!: number;
  @ApiProperty() unread!: boolean;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when the marker already was there' }) position!: string | null;
}

export class ReceiptResponse implements ReceiptView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ ...WHOLE, description: 'The seq of the last comment this member read' }) lastReadSeq!: number;
}

export class ReceiptsResponse implements ReceiptsView {
  @ApiProperty({ description: "False when the caller hides their own read receipts: then they see no one's" }) shared!: boolean;
  @ApiProperty({ type: [ReceiptResponse], description: 'The other members who share their receipts, in the order they joined (at most 1000)' })
  items!: ReceiptResponse[];
}

export class ClearHistoryResultResponse implements ClearHistoryResult {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ ...WHOLE, description: 'The comments up to this seq no longer show to the caller (0: none yet)' }) clearedThroughSeq!: number;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when nothing was posted since the last clear' }) position!: string | null;
}
