import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { DeletedExportResponse, ExportJobListResponse, ExportJobResponse, QueuedExportResponse } from './jobs.responses';
import type { FastifyReply } from 'fastify';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CreateExportDto } from './jobs.dto';
import { GetExportQuery, ListExportsQuery, type ExportJobView } from './jobs.queries';
import { JobRequests } from './job-requests';
import { jobsProjection } from '../../../projections';

/**
 * Export jobs after Qiscus' backups: users, rooms or comments whose own time
 * falls in [startDate, endDate), written by the job runner as one JSON file.
 */
@ApiTags('admin: export and import jobs')
@Public()
@RequireScopes('admin:export')
@Controller('admin/exports')
export class ExportsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly requests: JobRequests,
  ) {}

  /** Starts a job; poll `GET /v1/admin/exports/:id` until `status` is `done`, then fetch `downloadUrl`. */
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: QueuedExportResponse, description: 'The job, queued' })
  @ApiErrors(...COMMAND_ERRORS)
  create(@Body() body: CreateExportDto, @AdminCaller() caller: CommandContext): Promise<ExportJobView & { position: string }> {
    return this.requests.requestExport(body.type, body.startDate, body.endDate, caller);
  }

  /** The 100 most recent jobs, newest first. */
  @Get()
  @ReadModelQuery(jobsProjection)

  @ApiOkResponse({ type: ExportJobListResponse })
  list(): Promise<{ readonly items: readonly ExportJobView[] }> {
    return this.queries.execute(new ListExportsQuery());
  }

  @Get(':id')
  @ApiOkResponse({ type: ExportJobResponse })
  @ApiErrors(400, 404)
  get(@Param('id', UuidParamPipe) id: string): Promise<ExportJobView> {
    return this.queries.execute(new GetExportQuery(id));
  }

  /** Cancels a waiting or running job, or removes a finished one and its file. */
  @Delete(':id')
  @ApiOkResponse({ type: DeletedExportResponse })
  @ApiErrors(400, 404, 409)
  remove(@Param('id', UuidParamPipe) id: string, @AdminCaller() caller: CommandContext): Promise<ExportJobView & { deleted: true; position: string }> {
    return this.requests.deleteExport(id, caller);
  }

  /** The JSON array the job wrote. */
  @Get(':id/download')
  @ApiProduces('application/json')
  @ApiOkResponse({
    description: 'The rows the job wrote, as an attachment (Content-Disposition)',
    schema: { type: 'array', items: { type: 'object', additionalProperties: true } },
  })
  @ApiErrors(400, 404, 409)
  async download(@Param('id', UuidParamPipe) id: string, @Res() reply: FastifyReply): Promise<void> {
    const { view, file } = await this.requests.exportFile(id);
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="parley-export-${view.type}-${id}.json"`)
      .header('cache-control', 'no-store')
      .send(file.stream);
  }
}
