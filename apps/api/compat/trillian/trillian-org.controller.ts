import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import { validationError } from '../../../../libs/domain/errors';
import type { GroupFieldsChange } from '../../org/org-admin';
import { AdminCaller } from '../../admin/api-key.guard';
import { ApiEmptyResponse } from '../../common/openapi';
import { OrgIdParamPipe } from '../../org/org-id.pipe';
import { OrgAdmin } from '../../org/org-admin';
import { GetGroupQuery, GetPolicyQuery, ListGroupsQuery, ListPoliciesQuery } from '../../org/org.queries';
import type { GroupView, PolicyView } from '../../org/org-views';
import { TrillianToken } from './trillian-auth.guard';
import { TrillianGroupDto, TrillianPolicyDto } from './trillian.dto';
import { TRILLIAN_ERRORS, TrillianAnswer } from './trillian.openapi';
import { answer, href, type WireNode } from './trillian-wire';

/** Trillian's 0/1 switches (`peers=1`); anything else names the parameter. */
function flag(value: string | undefined, field: string): boolean {
  if (value === undefined || value === '0' || value === '') return false;
  if (value === '1') return true;
  throw validationError('REQUEST.VALIDATION_FAILED', `${field} must be 0 or 1`, [{ field, reason: 'must be 0 or 1' }]);
}

/** Trillian's group fields onto Parley's: 0 means none for parent and policy, type 1 means LDAP. */
function groupFields(body: TrillianGroupDto): GroupFieldsChange {
  const id = (value: string | undefined) => (value === undefined ? undefined : value === '0' ? null : Number(value));
  return {
    displayName: body.displayname,
    name: body.name,
    parentId: id(body.parent),
    policyId: id(body.policy),
    priority: body.priority === undefined ? undefined : Number(body.priority),
    ldap: body.type === undefined ? undefined : body.type === '1',
  };
}

function groupNode(request: FastifyRequest, group: GroupView, peers: boolean): WireNode {
  const link = { '@_href': href(request, `groups/${group.id}/peers/`) };
  return {
    '@_id': group.id,
    displayname: group.displayName,
    name: group.name,
    parent: group.parentId ?? 0,
    peers: peers && group.peers.length > 0 ? { ...link, peer: group.peers.map((id) => ({ '@_id': id })) } : link,
    policy: group.policyId ?? 0,
    priority: group.priority,
    type: group.ldap ? 1 : 0,
  };
}

const policyNode = (policy: PolicyView): WireNode => ({ '@_id': policy.id, data: policy.data, name: policy.name });

/**
 * Trillian's groups, peers and policies (`/trillian/v1/groups`, `/policies`)
 * over Parley's organisation: tokens with `admin:org`, form or JSON bodies,
 * POST wherever PATCH is, trailing slashes optional.
 */
@ApiTags('compat: trillian')
@TrillianToken('admin:org')
@ApiProduces('application/xml', 'application/json')
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('trillian/v1')
export class TrillianOrgController {
  constructor(
    private readonly org: OrgAdmin,
    private readonly queries: QueryBus,
  ) {}

  @Get('groups')
  @ApiOperation({ summary: 'Get all groups' })
  @ApiQuery({ name: 'peers', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @TrillianAnswer(200, 'groups', 400)
  async groups(@Query('peers') peers: string | undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { items } = await this.queries.execute(new ListGroupsQuery());
    return answer(request, reply, 200, { group: items.map((g) => groupNode(request, g, flag(peers, 'peers'))) });
  }

  @Post('groups')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a group' })
  @ApiBody({ type: TrillianGroupDto })
  @TrillianAnswer(200, 'group', ...TRILLIAN_ERRORS, 404)
  async createGroup(@Body() body: TrillianGroupDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (body.displayname === undefined) {
      throw validationError('REQUEST.VALIDATION_FAILED', 'displayname is required', [{ field: 'displayname', reason: 'is required' }]);
    }
    const { group } = await this.org.createGroup({ ...groupFields(body), displayName: body.displayname }, caller);
    return answer(request, reply, 200, { group: groupNode(request, group!, true) });
  }

  @Get('groups/:group')
  @ApiOperation({ summary: 'Get a single group' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'peers', required: false, schema: { type: 'string', enum: ['0', '1'] } })
  @TrillianAnswer(200, 'group', 400, 404)
  async group(
    @Param('group', OrgIdParamPipe) groupId: number,
    @Query('peers') peers: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const group: GroupView = await this.queries.execute(new GetGroupQuery(groupId));
    return answer(request, reply, 200, { group: groupNode(request, group, flag(peers, 'peers')) });
  }

  @Patch('groups/:group')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a group (PATCH; POST does the same)' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiBody({ type: TrillianGroupDto })
  @TrillianAnswer(200, 'group', ...TRILLIAN_ERRORS, 404)
  patchGroup(
    @Param('group', OrgIdParamPipe) groupId: number,
    @Body() body: TrillianGroupDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.updateGroup(groupId, body, caller, request, reply);
  }

  @Post('groups/:group')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a group (POST, as the seed documents it)' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiBody({ type: TrillianGroupDto })
  @TrillianAnswer(200, 'group', ...TRILLIAN_ERRORS, 404)
  async updateGroup(
    @Param('group', OrgIdParamPipe) groupId: number,
    @Body() body: TrillianGroupDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { group } = await this.org.changeGroup(groupId, groupFields(body), caller);
    return answer(request, reply, 200, { group: groupNode(request, group!, false) });
  }

  @Delete('groups/:group')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a group' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 404, 409)
  async deleteGroup(@Param('group', OrgIdParamPipe) groupId: number, @AdminCaller() caller: CommandContext): Promise<void> {
    await this.org.deleteGroup(groupId, caller);
  }

  @Get('groups/:group/peers')
  @ApiOperation({ summary: 'Get all peers of a group' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @TrillianAnswer(200, 'peers', 400, 404)
  async peers(@Param('group', OrgIdParamPipe) groupId: number, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const group: GroupView = await this.queries.execute(new GetGroupQuery(groupId));
    const link = { '@_href': href(request, `groups/${group.id}/peers/`) };
    return answer(request, reply, 200, { peers: group.peers.length > 0 ? { ...link, peer: group.peers.map((id) => ({ '@_id': id })) } : link });
  }

  @Post('groups/:group/peers/:peer')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a peer to a group' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiParam({ name: 'peer', schema: { type: 'integer', minimum: 1 } })
  @TrillianAnswer(201, 'peer', ...TRILLIAN_ERRORS, 404)
  async addPeer(
    @Param('group', OrgIdParamPipe) groupId: number,
    @Param('peer', OrgIdParamPipe) peerId: number,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.org.peer(groupId, peerId, caller);
    return answer(request, reply, 201, { peer: { '@_id': peerId } });
  }

  @Delete('groups/:group/peers/:peer')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a peer from a group' })
  @ApiParam({ name: 'group', schema: { type: 'integer', minimum: 1 } })
  @ApiParam({ name: 'peer', schema: { type: 'integer', minimum: 1 } })
  @ApiEmptyResponse(204, 'Removed')
  @TrillianAnswer(null, null, 400, 404)
  async removePeer(@Param('group', OrgIdParamPipe) groupId: number, @Param('peer', OrgIdParamPipe) peerId: number, @AdminCaller() caller: CommandContext): Promise<void> {
    await this.org.unpeer(groupId, peerId, caller);
  }

  @Get('policies')
  @ApiOperation({ summary: 'Get all policies' })
  @TrillianAnswer(200, 'policies', 400)
  async policies(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { items } = await this.queries.execute(new ListPoliciesQuery());
    return answer(request, reply, 200, { policy: items.map(policyNode) });
  }

  @Post('policies')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a policy' })
  @ApiBody({ type: TrillianPolicyDto })
  @TrillianAnswer(201, 'policy', ...TRILLIAN_ERRORS)
  async createPolicy(@Body() body: TrillianPolicyDto, @AdminCaller() caller: CommandContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const missing = (['data', 'name'] as const).filter((field) => body[field] === undefined);
    if (missing.length > 0) {
      throw validationError('REQUEST.VALIDATION_FAILED', `${missing.join(' and ')} required`, missing.map((field) => ({ field, reason: 'is required' })));
    }
    const { policy } = await this.org.definePolicy(body.name!, { data: body.data! }, caller);
    return answer(request, reply, 201, { policy: policyNode(policy!) });
  }

  @Get('policies/:policy')
  @ApiOperation({ summary: 'Get a single policy' })
  @ApiParam({ name: 'policy', schema: { type: 'integer', minimum: 1 } })
  @TrillianAnswer(200, 'policy', 400, 404)
  async policy(@Param('policy', OrgIdParamPipe) policyId: number, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const policy: PolicyView = await this.queries.execute(new GetPolicyQuery(policyId));
    return answer(request, reply, 200, { policy: policyNode(policy) });
  }

  @Post('policies/:policy')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a policy (POST, where PATCH is unavailable)' })
  @ApiParam({ name: 'policy', schema: { type: 'integer', minimum: 1 } })
  @ApiBody({ type: TrillianPolicyDto })
  @TrillianAnswer(200, 'policy', ...TRILLIAN_ERRORS, 404)
  postPolicy(
    @Param('policy', OrgIdParamPipe) policyId: number,
    @Body() body: TrillianPolicyDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.updatePolicy(policyId, body, caller, request, reply);
  }

  @Patch('policies/:policy')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a policy' })
  @ApiParam({ name: 'policy', schema: { type: 'integer', minimum: 1 } })
  @ApiBody({ type: TrillianPolicyDto })
  @TrillianAnswer(200, 'policy', ...TRILLIAN_ERRORS, 404)
  async updatePolicy(
    @Param('policy', OrgIdParamPipe) policyId: number,
    @Body() body: TrillianPolicyDto,
    @AdminCaller() caller: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { policy } = await this.org.changePolicy(policyId, { name: body.name, source: body.data === undefined ? undefined : { data: body.data } }, caller);
    return answer(request, reply, 200, { policy: policyNode(policy!) });
  }

  @Delete('policies/:policy')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a policy' })
  @ApiParam({ name: 'policy', schema: { type: 'integer', minimum: 1 } })
  @ApiEmptyResponse(204, 'Deleted')
  @TrillianAnswer(null, null, 400, 404, 409)
  async deletePolicy(@Param('policy', OrgIdParamPipe) policyId: number, @AdminCaller() caller: CommandContext): Promise<void> {
    await this.org.deletePolicy(policyId, caller);
  }
}
