import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import type { WebhookFormat } from '../../../libs/domain/events';
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
  WEBHOOK_SECRET_MAX,
  WEBHOOK_SECRET_MIN,
  WEBHOOK_URL_MAX,
} from '../../../libs/domain/webhooks/webhook.decider';

export class RegisterWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/parley', format: 'uri', maxLength: WEBHOOK_URL_MAX, description: 'http or https; receives a POST per event' })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_valid_protocol: true, require_tld: false },
    { message: 'url must be an absolute http or https URL' },
  )
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, example: ['CommentPosted'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events!: string[];

  @ApiProperty({ description: 'HMAC-SHA256 key of the X-Parley-Signature header', minLength: WEBHOOK_SECRET_MIN, maxLength: WEBHOOK_SECRET_MAX })
  @IsString()
  @Length(WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX)
  secret!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS, default: 'parley', description: "'qiscus' sends CommentPosted as Qiscus' post_comment" })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;
}

export class UpdateWebhookDto extends PartialType(RegisterWebhookDto) {
  @ApiPropertyOptional({ enum: ['active', 'paused'], description: 'pause by hand, or resume where delivery stopped' })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';
}

export class ReplayWebhookDto {
  @ApiPropertyOptional({
    example: '1234',
    pattern: '^\\d{1,40}$',
    description: 'Deliver again from this log position (inclusive), as a decimal string; required unless fromPreviousLog is sent',
  })
  @ValidateIf((body: ReplayWebhookDto) => body.fromPreviousLog === undefined)
  @IsString({ message: 'from is required (a position as a decimal string) unless fromPreviousLog is sent' })
  @Matches(/^\d{1,40}$/, { message: 'from must be a position as a decimal string' })
  from?: string;

  @ApiPropertyOptional({
    example: '1234',
    pattern: '^\\d{1,40}$',
    description:
      'Deliver again from this position (inclusive) of the log Parley ran on before a move to another store: the first imported event at or after it',
  })
  @IsOptional()
  @IsString({ message: 'fromPreviousLog must be a position as a decimal string' })
  @Matches(/^\d{1,40}$/, { message: 'fromPreviousLog must be a position as a decimal string' })
  fromPreviousLog?: string;
}
