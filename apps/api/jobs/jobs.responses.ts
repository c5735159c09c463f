import { ApiProperty } from '@nestjs/swagger';
import type { ImportRowError, JobResource } from '../../../libs/domain/events';
import { JOB_RESOURCES } from '../../../libs/domain/jobs/export-job.decider';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import type { ExportJobView, ImportJobView, JobStatus } from './jobs.queries';

const STATUSES = ['queued', 'running', 'done', 'failed'];
const PERCENT = { type: 'integer', minimum: 0, maximum: 100 } as const;

export class ExportJobResponse implements ExportJobView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: JOB_RESOURCES }) type!: JobResource;
  @ApiProperty(DATE_TIME) startDate!: string;
  @ApiProperty(DATE_TIME) endDate!: string;
  @ApiProperty({ enum: STATUSES }) status!: JobStatus;
  @ApiProperty(PERCENT) percentage!: number;
  @ApiProperty(WHOLE) totalRows!: number;
  @ApiProperty({ ...WHOLE, description: 'Bytes of the file, once done' }) size!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Once done: GET it with the same API key' }) downloadUrl!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) finishedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true, description: 'When an erasure removed the file (it named a removed user); the download then answers 409 EXPORT.FILE_ERASED' }) purgedAt!: string | null;
}

export class QueuedExportResponse extends ExportJobResponse {
  @ApiProperty(POSITION) position!: string;
}

export class DeletedExportResponse extends ExportJobResponse {
  @ApiProperty({ enum: [true] }) deleted!: true;
  @ApiProperty(POSITION) position!: string;
}

export class ExportJobListResponse {
  @ApiProperty({ type: [ExportJobResponse] }) items!: ExportJobResponse[];
}

export class ImportRowErrorResponse implements ImportRowError {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Counting from 1' }) row!: number;
  @ApiProperty() field!: string;
  @ApiProperty() reason!: string;
}

export class ImportJobResponse implements ImportJobView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: JOB_RESOURCES }) type!: JobResource;
  @ApiProperty() filename!: string;
  @ApiProperty(WHOLE) size!: number;
  @ApiProperty({ enum: STATUSES }) status!: JobStatus;
  @ApiProperty(PERCENT) percentage!: number;
  @ApiProperty(WHOLE) totalRows!: number;
  @ApiProperty(WHOLE) written!: number;
  @ApiProperty(WHOLE) skipped!: number;
  @ApiProperty({ type: [ImportRowErrorResponse], description: 'Refused rows (the first 1000)' }) errors!: ImportRowErrorResponse[];
  @ApiProperty(WHOLE) errorCount!: number;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) finishedAt!: string | null;
}

export class QueuedImportResponse extends ImportJobResponse {
  @ApiProperty(POSITION) position!: string;
}

export class ImportJobListResponse {
  @ApiProperty({ type: [ImportJobResponse] }) items!: ImportJobResponse[];
}

/** The JSON body of an import (the other form is multipart/form-data with file and type). */
export class ImportRowsBody {
  @ApiProperty({ enum: JOB_RESOURCES }) type!: JobResource;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, minItems: 1, maxItems: 100_000, description: "Rows in Qiscus' import format" })
  rows!: Record<string, unknown>[];
  @ApiProperty({ required: false, minLength: 1, maxLength: 200 }) filename?: string;
}

export class ImportUploadBody {
  @ApiProperty({ type: 'string', format: 'binary', description: "A JSON array in Qiscus' import format, at most 10 MB" }) file!: unknown;
  @ApiProperty({ enum: JOB_RESOURCES }) type!: JobResource;
}
