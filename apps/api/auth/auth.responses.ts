import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UUID } from '../common/openapi';
import type { PublishedJwk } from './jwt-keys';
import type { TokenPair } from './token.service';

export class TokenPairResponse implements TokenPair {
  @ApiProperty({ description: 'A JWT for Authorization: Bearer' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds the access token is valid' }) expires_in!: number;
  @ApiProperty({ description: 'Used up by its next use (rotation)' }) refresh_token!: string;
  @ApiPropertyOptional({ example: 'user' }) scope?: string;
}

export class SessionResponse {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: [String], example: ['user'] }) scopes!: string[];
  @ApiProperty({ ...UUID, nullable: true, description: 'The sign-in (refresh-token family)' }) familyId!: string | null;
}

export class JwkResponse implements PublishedJwk {
  @ApiProperty({ enum: ['RSA'] }) kty!: 'RSA';
  @ApiProperty() n!: string;
  @ApiProperty() e!: string;
  @ApiProperty({ enum: ['RS256'] }) alg!: 'RS256';
  @ApiProperty({ enum: ['sig'] }) use!: 'sig';
  @ApiProperty() kid!: string;
}

export class JwksResponse {
  @ApiProperty({ type: [JwkResponse], description: 'Empty when tokens are signed HS256' }) keys!: JwkResponse[];
}
