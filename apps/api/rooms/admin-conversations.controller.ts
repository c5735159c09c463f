import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { membershipsProjection, roomsProjection, usersProjection } from '../../../projections';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, DATE_TIME, UUID } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ListUserConversationsQuery, type AdminConversationView } from './admin-conversations';
import { ListRoomsQueryDto } from './rooms.dto';
import type { Page } from './rooms.queries';

class AdminConversationResponse implements AdminConversationView {
  @ApiProperty({ ...UUID, description: 'The direct room; its history by week: /v1/admin/rooms/:roomId/history/weeks' }) roomId!: string;
  @ApiProperty({ ...UUID, description: 'The other party (the user themselves for a conversation with oneself)' }) withUserId!: string;
  @ApiProperty(DATE_TIME) lastActivityAt!: string;
}

class AdminConversationPageResponse implements Page<AdminConversationView> {
  @ApiProperty({ type: [AdminConversationResponse] }) items!: AdminConversationResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** A user's direct conversations for administrators (`admin:rooms`, Trillian's user messages), who are in none of them. */
@ApiTags('admin: rooms')
@Public()
@RequireScopes('admin:rooms')
@Controller('admin/users/:userId/conversations')
export class AdminConversationsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadModelQuery(membershipsProjection, roomsProjection, usersProjection)
  @ApiOperation({ summary: "The user's direct conversations, most recent first" })
  @ApiOkResponse({ type: AdminConversationPageResponse })
  @ApiErrors(400, 404)
  list(@Param('userId', UuidParamPipe) userId: string, @Query() query: ListRoomsQueryDto): Promise<Page<AdminConversationView>> {
    return this.queries.execute(new ListUserConversationsQuery(userId, query.cursor, query.limit ?? 20));
  }
}
