import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { DeletedExportResponse, ExportJobListResponse, ExportJobResponse, QueuedExportResponse } from './jobs.responses';
import type { FastifyReply } from 'fastify';
import { exportJobFile } from '../../../libs/blob-store/job-file-store.port';
import { conflict } from '../../../libs/domain/errors';
import { newId } from '../../../libs/domain/ids';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ExecuteExportJobCommand } from './job-command.command';
import { JobRunner } from './job-runner';
import { JobStates } from './job-states';
import { CreateExportDto } from './jobs.dto';
import { exportViewFromState, GetExportQuery, ListExportsQuery, type ExportJobView } from './jobs.queries';
import { jobsProjection } from '../../../projections';

const now = () => new Date().toISOString();

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
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly jobs: JobStates,
    private readonly runner: JobRunner,
  ) {}

  /** Starts a job; poll `GET /v1/admin/exports/:id` until `status` is `done`, then fetch `downloadUrl`. */
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: QueuedExportResponse, description: 'The job, queued' })
  @ApiErrors(...COMMAND_ERRORS)
  async create(@Body() body: CreateExportDto, @AdminCaller() caller: CommandContext): Promise<ExportJobView & { position: string }> {
    const id = newId();
    const result = await this.commands.execute(
      new ExecuteExportJobCommand(
        id,
        { type: 'RequestExport', jobId: id, resource: body.type, startDate: body.startDate, endDate: body.endDate, actor: caller.actor, now: now() },
        caller,
      ),
    );
    const { state } = await this.jobs.loadExport(id);
    const view = exportViewFromState(state, null);
    this.runner.enqueue('export', id);
    return { ...view, position: result.position };
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
  async remove(
    @Param('id', UuidParamPipe) id: string,
    @AdminCaller() caller: CommandContext,
  ): Promise<ExportJobView & { deleted: true; position: string }> {
    const before = exportViewFromState((await this.jobs.loadExport(id)).state, this.runner.progress(id));
    const result = await this.commands.execute(new ExecuteExportJobCommand(id, { type: 'DeleteExport', actor: caller.actor, now: now() }, caller));
    this.runner.cancel(id);
    await this.runner.jobFiles.delete(exportJobFile(id));
    return { ...before, deleted: true, position: result.position };
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
    const view = exportViewFromState((await this.jobs.loadExport(id)).state, this.runner.progress(id));
    if (view.status !== 'done') throw conflict('EXPORT.NOT_READY', `The export is ${view.status}; it can be downloaded once done`);
    if (view.purgedAt !== null) {
      throw conflict('EXPORT.FILE_ERASED', 'The export file was removed because an account it named was erased; request a new export');
    }
    const file = await this.runner.jobFiles.read(exportJobFile(id));
    if (file === null) throw conflict('EXPORT.FILE_MISSING', 'The export file is gone; request a new export');
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="parley-export-${view.type}-${id}.json"`)
      .header('cache-control', 'no-store')
      .send(file.stream);
  }
}
