import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { contactsProjection, orgProjection, presenceProjection, usersProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UserApi } from '../common/openapi';
import { DIRECTORY_PAGE_MAX, MyDirectoryQuery, MyGroupsQuery, MyPolicyQuery, type DirectoryPage } from './org.queries';
import { validationError } from '../../../libs/domain/errors';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DirectoryResponse, EffectivePolicyResponse, GroupListResponse } from './org.responses';
import type { EffectivePolicyView, GroupView } from './org-views';

export class DirectoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: DIRECTORY_PAGE_MAX, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(DIRECTORY_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** What the organisation means for the caller: their groups, the policy that binds them, the directory their groups' peers give. */
@ApiTags('organisation')
@UserApi()
@Controller('me')
export class MeOrgController {
  constructor(private readonly queries: QueryBus) {}

  @Get('groups')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: GroupListResponse })
  groups(@Caller() caller: CommandContext): Promise<{ items: GroupView[] }> {
    return this.queries.execute(new MyGroupsQuery(caller.actor));
  }

  @Get('policy')
  @ApiOperation({
    summary:
      'The caller’s effective policy: each key from the first of their groups by priority (highest first, then lowest id), ' +
      'each group’s own policy before its ancestors’. Parley enforces trillian.history.cloud itself; clients apply the rest.',
  })
  @ApiOkResponse({ type: EffectivePolicyResponse })
  policy(@Caller() caller: CommandContext): Promise<EffectivePolicyView> {
    return this.queries.execute(new MyPolicyQuery(caller.actor));
  }

  @Get('directory')
  @ReadModelQuery(orgProjection, usersProjection, presenceProjection, contactsProjection)
  @ApiOperation({ summary: 'Users the caller’s groups peer with, apart from the caller’s own address book; blocked users left out' })
  @ApiOkResponse({ type: DirectoryResponse })
  directory(@Query() query: DirectoryQueryDto, @Caller() caller: CommandContext): Promise<DirectoryPage> {
    const after = query.cursor === undefined ? null : Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (after !== null && !/^[\x21-\x7e]{1,200}$/.test(after)) {
      throw validationError('REQUEST.CURSOR_INVALID', 'The cursor is not one this API returned', [{ field: 'cursor', reason: 'is malformed' }]);
    }
    return this.queries.execute(new MyDirectoryQuery(caller.actor, { after, limit: query.limit ?? 100 }));
  }
}
