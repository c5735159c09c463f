import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ExportHeader, ExportTrailer } from '../../../libs/streaming/log-codec';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import { RoomMemberStateResponse } from '../rooms/rooms.responses';
import type { RoomAsOf } from './room-history';

const HASH = { type: String, pattern: '^[0-9a-f]{64}$', description: 'SHA-256, hex' } as const;
const OPEN = { type: 'object', additionalProperties: true } as const;

export class EventMetadataResponse {
  @ApiPropertyOptional() correlationId?: string;
  @ApiPropertyOptional() causationId?: string;
  @ApiPropertyOptional({ description: 'The acting user id, apikey:<id> or system' }) actor?: string;
  @ApiPropertyOptional({ description: 'The user a server acted for (X-Act-As, a seed surface\'s secret); actor is then the server' })
  subject?: string;
}

/** A stored event as the audit views show it (webhook secrets redacted). */
export class EventEnvelopeResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ example: 'CommentPosted' }) type!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({ example: 'room-0b5c…' }) streamId!: string;
  @ApiProperty({ ...WHOLE, description: '0-based index in its stream' }) revision!: number;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty(DATE_TIME) recordedAt!: string;
  @ApiProperty({ ...OPEN, description: 'The event, by its type' }) data!: Record<string, unknown>;
  @ApiProperty({ ...OPEN, description: 'correlationId, causationId, actor' }) metadata!: Record<string, unknown>;
}

/** One NDJSON line of GET /v1/admin/events: first the header… */
export class ExportHeaderLine implements ExportHeader {
  @ApiProperty({ enum: ['header'] }) kind!: 'header';
  @ApiProperty({ enum: ['parley-log/1'] }) format!: 'parley-log/1';
  @ApiProperty({ ...POSITION, description: 'Exclusive start' }) from!: string;
  @ApiProperty(HASH) prevHash!: string;
}

/** …then one line per event, chained by hash… */
export class ExportEventLine extends EventEnvelopeResponse {
  @ApiProperty({ ...HASH, description: "SHA-256 over the previous line's hash, a newline and this line up to ,\"hash\"" }) hash!: string;
}

/** …and a trailer, unless the stream follows the log. */
export class ExportTrailerLine implements ExportTrailer {
  @ApiProperty({ enum: ['trailer'] }) kind!: 'trailer';
  @ApiProperty(WHOLE) count!: number;
  @ApiProperty({ ...POSITION, nullable: true }) firstPosition!: string | null;
  @ApiProperty({ ...POSITION, nullable: true }) lastPosition!: string | null;
  @ApiProperty(HASH) finalHash!: string;
}

export class StreamAuditResponse {
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: [EventEnvelopeResponse] }) events!: EventEnvelopeResponse[];
}

export class AuditMomentResponse {
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) time!: string | null;
}

export class AuditCommentResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) seq!: number;
  @ApiProperty(UUID) senderId!: string;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty() type!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty() deleted!: boolean;
  @ApiProperty({ type: String, nullable: true }) deletedBy!: string | null;
}

export class RoomAsOfResponse implements RoomAsOf {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ type: AuditMomentResponse }) at!: AuditMomentResponse;
  @ApiProperty({ description: 'false when the room did not exist yet at that moment' }) exists!: boolean;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['group', 'direct', 'thread'] }) kind!: string | null;
  @ApiProperty({ type: String, nullable: true }) topic!: string | null;
  @ApiProperty({ type: String, nullable: true }) avatarUrl!: string | null;
  @ApiProperty({ ...OPEN, nullable: true, description: 'The room permissions then' }) permissions!: unknown;
  @ApiProperty({ type: [RoomMemberStateResponse] }) members!: RoomMemberStateResponse[];
  @ApiProperty({ type: [AuditCommentResponse], description: 'The latest comments then' }) comments!: AuditCommentResponse[];
  @ApiProperty(WHOLE) totalComments!: number;
  @ApiProperty({ ...POSITION, nullable: true }) lastEventPosition!: string | null;
}

/** A page of the log for the console: events as stored (personal fields sealed, secrets redacted). */
export class LogPageResponse {
  @ApiProperty({ type: [EventEnvelopeResponse] }) items!: EventEnvelopeResponse[];
  @ApiProperty({ ...POSITION, nullable: true, description: 'Pass as `after` for the next page; null once the head (or `to`) was reached' }) next!: string | null;
  @ApiProperty({ ...WHOLE, description: 'Events read to answer this page (at most 10,000: a rare filter the store cannot look up by index answers a partial page; a type or stream prefix looked up in the embedded store reads only its own events)' }) scanned!: number;
  @ApiProperty({ ...POSITION, nullable: true, description: 'The log head when the page was read' }) head!: string | null;
}

export class RoomChangeResponse {
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ example: 'RoomRenamed' }) type!: string;
  @ApiProperty(DATE_TIME) recordedAt!: string;
}

export class RoomChangesResponse {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ type: [RoomChangeResponse], description: 'Oldest first: every event of the room stream and its latest 1,000 comments' }) changes!: RoomChangeResponse[];
}
