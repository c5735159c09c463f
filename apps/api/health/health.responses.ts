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

export class ReadModelsHealthResponse {
  @ApiProperty({ ...DECIMAL, description: 'Position the read models have passed' }) position!: string | null;
  @ApiProperty({ ...DECIMAL, description: 'Events the read models trail the log by' }) behindBy!: string | null;
  @ApiPropertyOptional({ type: StoreHealthResponse, description: 'Networked stores only' }) connection?: StoreHealthResponse;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiProperty({ type: EventStoreHealthResponse }) eventStore!: EventStoreHealthResponse;
  @ApiProperty({ type: ReadModelsHealthResponse }) readModels!: ReadModelsHealthResponse;
  @ApiPropertyOptional({ type: [String], description: 'Stores that are down, e.g. ["MongoDB"]' }) down?: string[];
}
