import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { contactsProjection, orgProjection, presenceProjection, usersProjection } from '../../../projections';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UserApi } from '../common/openapi';
import { MyDirectoryQuery, MyGroupsQuery, MyPolicyQuery } from './org.queries';
import { DirectoryResponse, EffectivePolicyResponse, GroupListResponse } from './org.responses';
import type { DirectoryEntryView, EffectivePolicyView, GroupView } from './org-views';

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
  directory(@Caller() caller: CommandContext): Promise<{ items: DirectoryEntryView[] }> {
    return this.queries.execute(new MyDirectoryQuery(caller.actor));
  }
}
