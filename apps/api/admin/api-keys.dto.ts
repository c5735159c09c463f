import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString } from 'class-validator';
import { API_KEY_NAME_MAX, API_KEY_SCOPES } from '../../../libs/domain/api-keys/api-key.decider';

/** Shapes only; names and scopes are checked by the decider (API_KEY.INVALID), as for `parley keys create`. */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'Billing sync', maxLength: API_KEY_NAME_MAX, description: 'What the key is for; shown in listings' })
  @IsString()
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, maxItems: 32, example: ['admin:users'] })
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  scopes!: string[];
}
