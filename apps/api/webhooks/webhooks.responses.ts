import { ApiProperty } from '@nestjs/swagger';
import type { WebhookFormat } from '../../../libs/domain/events';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS } from '../../../libs/domain/webhooks/webhook.decider';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import type { DeliveryProgress } from './webhook-runner';
import type { WebhookView } from './webhooks.queries';

export class RegisteredWebhookResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ enum: WEBHOOK_FORMATS }) format!: WebhookFormat;
  @ApiProperty({ enum: ['active'] }) status!: 'active';
  @ApiProperty(POSITION) position!: string;
}

export class DeliveryProgressResponse implements DeliveryProgress {
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) attempts!: number;
  @ApiProperty() lastError!: string;
  @ApiProperty(DATE_TIME) nextAttemptAt!: string;
}

export class WebhookResponse implements WebhookView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ enum: WEBHOOK_FORMATS }) format!: WebhookFormat;
  @ApiProperty({ enum: ['active', 'paused'] }) status!: 'active' | 'paused';
  @ApiProperty({ type: String, nullable: true, description: 'The error that paused it, while paused' }) lastError!: string | null;
  @ApiProperty({ ...POSITION, nullable: true, description: 'The event it is stuck at, while paused' }) stuckAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) pausedAt!: string | null;
  @ApiProperty({ ...POSITION, nullable: true, description: 'Its checkpoint; null before it started' }) position!: string | null;
  @ApiProperty({ type: DeliveryProgressResponse, nullable: true, description: 'Retries in progress in this process' }) retrying!: DeliveryProgressResponse | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty(DATE_TIME) updatedAt!: string;
}

export class WebhookListResponse {
  @ApiProperty({ type: [WebhookResponse] }) items!: WebhookResponse[];
}

export class WebhookChangeResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ ...WHOLE, description: '0 when the subscription already was as asked' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true }) position!: string | null;
}

export class WebhookReplayResponse extends WebhookChangeResponse {
  @ApiProperty({ ...POSITION, description: 'Delivery starts again here (inclusive)' }) from!: string;
}
