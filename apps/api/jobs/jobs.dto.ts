import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import type { JobResource } from '../../../libs/domain/events';
import { JOB_RESOURCES } from '../../../libs/domain/jobs/export-job.decider';

export class CreateExportDto {
  @ApiProperty({ enum: JOB_RESOURCES })
  @IsIn(JOB_RESOURCES, { message: 'type must be users, rooms or comments' })
  type!: JobResource;

  @ApiProperty({ example: '2024-01-01', description: 'Inclusive: YYYY-MM-DD (midnight UTC) or an ISO 8601 time with offset' })
  @IsString({ message: 'startDate must be a date' })
  @MaxLength(40)
  startDate!: string;

  @ApiProperty({ example: '2024-02-01', description: 'Exclusive; after startDate and at most one year after it' })
  @IsString({ message: 'endDate must be a date' })
  @MaxLength(40)
  endDate!: string;
}
