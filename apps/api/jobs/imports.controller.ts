import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { jobsProjection } from '../../../projections';
import { AdminCaller } from '../admin/api-key.guard';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { importUpload } from './import-upload';
import { JobRequests } from './job-requests';
import { GetImportQuery, ListImportsQuery, type ImportJobView } from './jobs.queries';
import { ImportJobListResponse, ImportJobResponse, ImportRowsBody, ImportUploadBody, QueuedImportResponse } from './jobs.responses';

/**
 * Qiscus-format imports of users, rooms and comments: the file is checked row
 * by row by the job runner, and written only if every row passes.
 */
@ApiTags('admin: export and import jobs')
@Public()
@RequireScopes('admin:export')
@Controller('admin/imports')
export class ImportsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly requests: JobRequests,
  ) {}

  /**
   * `multipart/form-data` with `file` (a JSON array in Qiscus' import format)
   * and `type` (users, rooms or comments); or `application/json`
   * `{ type, rows, filename? }`. At most 10 MB. Answers the queued job.
   */
  @Post()
  @HttpCode(202)
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiExtraModels(ImportRowsBody, ImportUploadBody)
  @ApiBody({
    description: 'application/json: { type, rows, filename? }; multipart/form-data: file and type',
    schema: { oneOf: [{ $ref: getSchemaPath(ImportRowsBody) }, { $ref: getSchemaPath(ImportUploadBody) }] },
  })
  @ApiAcceptedResponse({ type: QueuedImportResponse, description: 'The job, queued' })
  @ApiErrors(...COMMAND_ERRORS)
  async create(@Req() request: FastifyRequest, @AdminCaller() caller: CommandContext): Promise<ImportJobView & { position: string }> {
    return this.requests.requestImport(await importUpload(request), caller);
  }

  /** The 100 most recent imports, newest first, with their row errors. */
  @Get()
  @ReadModelQuery(jobsProjection)

  @ApiOkResponse({ type: ImportJobListResponse })
  list(): Promise<{ readonly items: readonly ImportJobView[] }> {
    return this.queries.execute(new ListImportsQuery());
  }

  @Get(':id')
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiErrors(400, 404)
  get(@Param('id', UuidParamPipe) id: string): Promise<ImportJobView> {
    return this.queries.execute(new GetImportQuery(id));
  }
}
