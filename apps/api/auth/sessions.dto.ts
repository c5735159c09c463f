import { ApiProperty } from '@nestjs/swagger';

/** One sign-in (refresh-token family) as its user sees it. */
export class SessionView {
  @ApiProperty({ description: 'The sign-in id (the `sid` of its tokens)', format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When it signed in' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When a refresh last used it; the sign-in time until then' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Until when it can refresh without being used' })
  expiresAt!: string;

  @ApiProperty({ enum: ['password', 'phone', 'server'], description: 'How it signed in (server: through a server acting for the user, such as Qiscus)' })
  grant!: 'password' | 'phone' | 'server';

  @ApiProperty({ type: String, nullable: true, description: 'What signed in, as its User-Agent said; null when unknown' })
  client!: string | null;

  @ApiProperty({ description: 'Whether the access token of this request belongs to it' })
  current!: boolean;
}

export class SessionListView {
  @ApiProperty({ type: [SessionView], description: 'Live sign-ins, newest first' })
  items!: SessionView[];
}

export class EndedSessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['revoked'] })
  status!: 'revoked';

  @ApiProperty({ description: 'Events written: 0 when the sign-in had ended already' })
  written!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Position of the revocation, null when nothing was written' })
  position!: string | null;
}
