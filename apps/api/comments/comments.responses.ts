import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import type { ReadResult } from '../read-state/mark-read.command';
import type { CommentView, TimelineItemView } from './comment-views';
import type { TimelineItemWithSender, TimelinePage } from './comments.queries';
import type { DeletedComment } from './delete-comment.command';

const PAYLOAD = { type: 'object', additionalProperties: true, nullable: true, description: 'The application payload, as posted' } as const;

export class CommentResponse implements CommentView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, description: 'Order in the room; gap-free' }) seq!: number | null;
  @ApiProperty({ ...UUID, nullable: true, description: 'The comment before it in the room' }) previousId!: string | null;
  @ApiProperty(UUID) senderId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once deleted' }) text!: string | null;
  @ApiProperty({ example: 'text' }) type!: string;
  @ApiProperty(PAYLOAD) payload!: Record<string, unknown> | null;
  @ApiProperty({ ...UUID, nullable: true }) replyTo!: string | null;
  @ApiProperty({ type: String, nullable: true }) clientId!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty() deleted!: boolean;
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
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty() removed!: boolean;
}

export class TimelineItemResponse extends CommentResponse implements TimelineItemWithSender {
  @ApiProperty({ enum: ['comment', 'system'] }) kind!: TimelineItemView['kind'];
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
