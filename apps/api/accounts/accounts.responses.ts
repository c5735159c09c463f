import { ApiProperty } from '@nestjs/swagger';
import type { VerificationChannel } from '../../../libs/domain/events';
import { TokenPairResponse } from '../auth/auth.responses';
import { DATE_TIME, POSITION, UUID } from '../common/openapi';
import type { RecordedCode } from './code-sender';
import type { CodeRequested } from './request-code.command';
import type { PhoneSignIn, VerifiedAccount } from './verify-code.command';
import type { PhoneAccountView } from './my-accounts.queries';

const CHANNELS = ['sms', 'voice'];
const E164 = { pattern: '^\\+[1-9]\\d{7,14}$', example: '+15551234567' } as const;

export class PendingAccountResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: ['pending'] }) status!: 'pending';
  @ApiProperty(POSITION) position!: string;
}

export class CodeRequestedResponse implements CodeRequested {
  @ApiProperty({ enum: CHANNELS }) channel!: VerificationChannel;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds a code lives' }) expiresIn!: number;
}

export class SignedInUserResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
}

export class PhoneSignInResponse extends TokenPairResponse implements PhoneSignIn {
  @ApiProperty({ type: SignedInUserResponse }) user!: SignedInUserResponse;
}

export class RecordedCodeResponse implements RecordedCode {
  @ApiProperty(E164) phone!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: VerificationChannel;
  @ApiProperty({ pattern: '^\\d{4,8}$' }) code!: string;
  @ApiProperty(DATE_TIME) expiresAt!: string;
  @ApiProperty(DATE_TIME) sentAt!: string;
}

export class RecordedCodeListResponse {
  @ApiProperty({ type: [RecordedCodeResponse] }) items!: RecordedCodeResponse[];
}

export class PhoneAccountResponse implements PhoneAccountView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ ...E164, type: String, nullable: true, description: 'Null once erased' }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) nickname!: string | null;
  @ApiProperty({ enum: ['pending', 'verified'] }) status!: 'pending' | 'verified';
  @ApiProperty(DATE_TIME) createdAt!: string;
}

export class PhoneAccountListResponse {
  @ApiProperty({ type: [PhoneAccountResponse], description: 'Oldest first' }) items!: PhoneAccountResponse[];
}

export class VerifiedAccountResponse implements VerifiedAccount {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: String, nullable: true }) nickname!: string | null;
  @ApiProperty({ enum: ['verified'] }) status!: 'verified';
  @ApiProperty(POSITION) position!: string;
}

export class RemovedAccountResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: [true] }) removed!: true;
  @ApiProperty(POSITION) position!: string;
}
