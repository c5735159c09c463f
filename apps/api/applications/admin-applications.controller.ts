import { Body, Controller, Delete, Get, Header, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { applicationsProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RegisterApplicationCommand, RemoveApplicationCommand, type RegisteredApplication, type RemovedApplication } from './applications.commands';
import { RegisterApplicationDto } from './applications.dto';
import { GetApplicationQuery, ListApplicationsQuery, type ApplicationView } from './applications.queries';
import { ApplicationListResponse, ApplicationResponse, RegisteredApplicationResponse, RemovedApplicationResponse } from './applications.responses';

/** Applications (principals that sign their own RS256 tokens), for holders of a key with `admin:applications`. */
@ApiTags('admin: applications')
@Public()
@RequireScopes('admin:applications')
@Controller('admin/applications')
export class AdminApplicationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** Registers an application with its public key, or generates a pair and answers the private key this once. */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: RegisteredApplicationResponse })
  @ApiErrors(...COMMAND_ERRORS)
  register(@Body() body: RegisterApplicationDto, @AdminCaller() caller: CommandContext): Promise<RegisteredApplication> {
    return this.commands.execute(new RegisterApplicationCommand(body.name, body.publicKey, caller));
  }

  @Get()
  @ReadModelQuery(applicationsProjection)
  @ApiOkResponse({ type: ApplicationListResponse })
  list(): Promise<{ readonly items: readonly ApplicationView[] }> {
    return this.queries.execute(new ListApplicationsQuery());
  }

  @Get(':id')
  @ReadModelQuery(applicationsProjection)
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiErrors(400, 404)
  get(@Param('id', UuidParamPipe) id: string): Promise<ApplicationView> {
    return this.queries.execute(new GetApplicationQuery(id));
  }

  /** Removes an application: its tokens are refused from the next request on. */
  @Delete(':id')
  @ApiOkResponse({ type: RemovedApplicationResponse })
  @ApiErrors(400, 404, 503, 507)
  remove(@Param('id', UuidParamPipe) id: string, @AdminCaller() caller: CommandContext): Promise<RemovedApplication> {
    return this.commands.execute(new RemoveApplicationCommand(id, caller));
  }
}
