import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { StoreState } from '../../../libs/config/store-connection';
import { DATE_TIME } from '../common/openapi';

const DECIMAL = { type: String, pattern: '^\\d+$', nullable: true } as const;

export class StoreHealthResponse {
  @ApiProperty({ example: 'MongoDB' }) store!: string;
  @ApiProperty({ description: 'Without credentials' }) url!: string;
  @ApiProperty({ enum: ['connecting', 'up', 'down', 'closed'] }) state!: StoreState;
  @ApiProperty(DATE_TIME) since!: string;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class EventStoreHealthResponse {
  @ApiProperty({ ...DECIMAL, description: 'Position of the last event; null for an empty log' }) head!: string | null;
  @ApiPropertyOptional({ type: StoreHealthResponse, description: 'Networked stores only' }) connection?: StoreHealthResponse;
}

export class ProjectionFailureResponse {
  @ApiProperty({ type: String, pattern: '^\\d+$', description: 'Position of the event the projection stopped on' }) position!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() error!: string;
  @ApiProperty(DATE_TIME) failedAt!: string;
}

export class FailedProjectionResponse extends ProjectionFailureResponse {
  @ApiProperty({ example: 'timeline' }) projection!: string;
}

export class ProjectionHealthResponse {
  @ApiProperty({ example: 'timeline' }) name!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({ enum: ['running', 'failed'] }) state!: 'running' | 'failed';
  @ApiProperty({ ...DECIMAL, description: 'Position of the last event it applied; null before the first' }) checkpoint!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: 'Events after its checkpoint, counted up to HEALTH_MAX_LAG_EVENTS + 1' }) eventsBehind!: number | null;
  @ApiProperty({ type: Number, minimum: 0, nullable: true, description: 'Seconds since the oldest event it has not applied was recorded' }) secondsBehind!: number | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) lastEventAt!: string | null;
  @ApiProperty({ type: ProjectionFailureResponse, nullable: true }) failure!: ProjectionFailureResponse | null;
}

export class ReadModelsHealthResponse {
  @ApiProperty({ ...DECIMAL, description: 'Position the read models have passed' }) position!: string | null;
  @ApiProperty({ ...DECIMAL, description: 'Events the read models trail the log by, where the event store counts them (embedded); null on EventStoreDB, whose positions are not counts' }) behindBy!: string | null;
  @ApiProperty({ type: Number, minimum: 0, nullable: true, description: 'Seconds since the oldest event the read models have not passed was recorded; 0 when caught up' }) secondsBehind!: number | null;
  @ApiPropertyOptional({ type: StoreHealthResponse, description: 'Networked stores only' }) connection?: StoreHealthResponse;
  @ApiPropertyOptional({ type: [ProjectionHealthResponse], description: 'Each projection: state, checkpoint, lag and failure' }) projections?: ProjectionHealthResponse[];
}

export class HealthResponse {
  @ApiProperty({
    enum: ['ok', 'degraded', 'unavailable'],
    description: 'degraded (503): a projection is failed or trails the log by more than HEALTH_MAX_LAG_EVENTS; unavailable (503): a store is down',
  })
  status!: 'ok' | 'degraded' | 'unavailable';
  @ApiProperty({ type: EventStoreHealthResponse }) eventStore!: EventStoreHealthResponse;
  @ApiProperty({ type: ReadModelsHealthResponse }) readModels!: ReadModelsHealthResponse;
  @ApiPropertyOptional({ type: [String], description: 'Stores that are down, e.g. ["MongoDB"]' }) down?: string[];
  @ApiPropertyOptional({ type: [FailedProjectionResponse], description: 'Projections stopped on an event, with the event and the error' }) failed?: FailedProjectionResponse[];
  @ApiPropertyOptional({ type: [String], description: 'Projections trailing the log by more than HEALTH_MAX_LAG_EVENTS' }) lagging?: string[];
}

export class LivenessResponse {
  @ApiProperty({ enum: ['live'] }) status!: 'live';
}

export class ReadinessResponse {
  @ApiProperty({ enum: ['ready', 'not_ready'] }) status!: 'ready' | 'not_ready';
  @ApiPropertyOptional({ type: [String], description: 'What is not ready, naming the store or projection' }) reasons?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Stores that are down' }) down?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Projections stopped on an event' }) failed?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Projections trailing the log by more than HEALTH_MAX_LAG_EVENTS' }) lagging?: string[];
}
