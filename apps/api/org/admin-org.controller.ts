import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import type { PolicySource } from '../../../libs/domain/org/org.decider';
import { orgProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { OrgAdmin, type GroupResult, type OrgWriteResult, type PolicyResult } from './org-admin';
import { OrgIdParamPipe } from './org-id.pipe';
import { CreateGroupDto, CreatePolicyDto, UpdateGroupDto, UpdatePolicyDto } from './org.dto';
import { GetGroupQuery, GetPolicyQuery, ListGroupMembersQuery, ListGroupsQuery, ListPoliciesQuery } from './org.queries';
import {
  GroupCommandResponse,
  GroupListResponse,
  GroupMembersResponse,
  GroupResponse,
  OrgCommandResponse,
  PolicyCommandResponse,
  PolicyListResponse,
  PolicyResponse,
} from './org.responses';
import type { GroupMembersView, GroupView, PolicyView } from './org-views';

/** The items of a policy body: `data` or `items`, one of them (required when `required`). */
export function policySource(body: { readonly data?: string; readonly items?: Record<string, string> }, required: boolean): PolicySource | undefined {
  if (body.data !== undefined && body.items !== undefined) {
    throw validationError('POLICY.INVALID', 'Give data or items, not both', [{ field: 'items', reason: 'must not be given with data' }]);
  }
  if (body.data !== undefined) return { data: body.data };
  if (body.items !== undefined) return { items: body.items };
  if (required) throw validationError('POLICY.INVALID', 'data or items is required', [{ field: 'data', reason: 'data or items is required' }]);
  return undefined;
}

/**
 * The organisation (Trillian's groups, peers and policies), for holders of a
 * key with `admin:org`. Group and policy ids are small integers.
 */
@ApiTags('admin: organisation')
@Public()
@RequireScopes('admin:org')
@Controller('admin')
export class AdminOrgController {
  constructor(
    private readonly org: OrgAdmin,
    private readonly queries: QueryBus,
  ) {}

  @Get('groups')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: GroupListResponse })
  listGroups(): Promise<{ items: GroupView[] }> {
    return this.queries.execute(new ListGroupsQuery());
  }

  @Post('groups')
  @ApiCreatedResponse({ type: GroupCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  createGroup(@Body() body: CreateGroupDto, @AdminCaller() caller: CommandContext): Promise<GroupResult> {
    return this.org.createGroup(body, caller);
  }

  @Get('groups/:groupId')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: GroupResponse })
  @ApiErrors(400, 404)
  getGroup(@Param('groupId', OrgIdParamPipe) groupId: number): Promise<GroupView> {
    return this.queries.execute(new GetGroupQuery(groupId));
  }

  @Patch('groups/:groupId')
  @ApiOkResponse({ type: GroupCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  changeGroup(@Param('groupId', OrgIdParamPipe) groupId: number, @Body() body: UpdateGroupDto, @AdminCaller() caller: CommandContext): Promise<GroupResult> {
    return this.org.changeGroup(groupId, body, caller);
  }

  @Delete('groups/:groupId')
  @ApiOkResponse({ type: GroupCommandResponse })
  @ApiErrors(400, 404, 409)
  deleteGroup(@Param('groupId', OrgIdParamPipe) groupId: number, @AdminCaller() caller: CommandContext): Promise<GroupResult> {
    return this.org.deleteGroup(groupId, caller);
  }

  @Put('groups/:groupId/peers/:peerId')
  @ApiOperation({ summary: 'Members of the group see the members of the peer in their directory (one way)' })
  @ApiOkResponse({ type: GroupCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  peer(
    @Param('groupId', OrgIdParamPipe) groupId: number,
    @Param('peerId', OrgIdParamPipe) peerId: number,
    @AdminCaller() caller: CommandContext,
  ): Promise<GroupResult> {
    return this.org.peer(groupId, peerId, caller);
  }

  @Delete('groups/:groupId/peers/:peerId')
  @ApiOkResponse({ type: GroupCommandResponse })
  @ApiErrors(400, 404, 409)
  unpeer(
    @Param('groupId', OrgIdParamPipe) groupId: number,
    @Param('peerId', OrgIdParamPipe) peerId: number,
    @AdminCaller() caller: CommandContext,
  ): Promise<GroupResult> {
    return this.org.unpeer(groupId, peerId, caller);
  }

  @Get('groups/:groupId/members')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: GroupMembersResponse })
  @ApiErrors(400, 404)
  members(@Param('groupId', OrgIdParamPipe) groupId: number): Promise<GroupMembersView> {
    return this.queries.execute(new ListGroupMembersQuery(groupId));
  }

  @Put('groups/:groupId/members/:userId')
  @ApiOkResponse({ type: OrgCommandResponse, description: 'written is 0 when the user already belonged to the group' })
  @ApiErrors(...COMMAND_ERRORS, 404)
  assign(
    @Param('groupId', OrgIdParamPipe) groupId: number,
    @Param('userId', UuidParamPipe) userId: string,
    @AdminCaller() caller: CommandContext,
  ): Promise<OrgWriteResult> {
    return this.org.assign(groupId, userId, caller);
  }

  @Delete('groups/:groupId/members/:userId')
  @ApiOkResponse({ type: OrgCommandResponse })
  @ApiErrors(400, 404, 409)
  unassign(
    @Param('groupId', OrgIdParamPipe) groupId: number,
    @Param('userId', UuidParamPipe) userId: string,
    @AdminCaller() caller: CommandContext,
  ): Promise<OrgWriteResult> {
    return this.org.unassign(groupId, userId, caller);
  }

  @Get('policies')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: PolicyListResponse })
  listPolicies(): Promise<{ items: PolicyView[] }> {
    return this.queries.execute(new ListPoliciesQuery());
  }

  @Post('policies')
  @ApiCreatedResponse({ type: PolicyCommandResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async definePolicy(@Body() body: CreatePolicyDto, @AdminCaller() caller: CommandContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyResult> {
    void reply.status(201);
    return this.org.definePolicy(body.name, policySource(body, true)!, caller);
  }

  @Get('policies/:policyId')
  @ReadModelQuery(orgProjection)
  @ApiOkResponse({ type: PolicyResponse })
  @ApiErrors(400, 404)
  getPolicy(@Param('policyId', OrgIdParamPipe) policyId: number): Promise<PolicyView> {
    return this.queries.execute(new GetPolicyQuery(policyId));
  }

  @Patch('policies/:policyId')
  @ApiOkResponse({ type: PolicyCommandResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  changePolicy(@Param('policyId', OrgIdParamPipe) policyId: number, @Body() body: UpdatePolicyDto, @AdminCaller() caller: CommandContext): Promise<PolicyResult> {
    return this.org.changePolicy(policyId, { name: body.name, source: policySource(body, false) }, caller);
  }

  @Delete('policies/:policyId')
  @ApiOkResponse({ type: PolicyCommandResponse })
  @ApiErrors(400, 404, 409)
  deletePolicy(@Param('policyId', OrgIdParamPipe) policyId: number, @AdminCaller() caller: CommandContext): Promise<PolicyResult> {
    return this.org.deletePolicy(policyId, caller);
  }
}
