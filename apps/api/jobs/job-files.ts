import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import type { JobFileStore } from '../../../libs/blob-store/job-file-store.port';

/** The store of export and import jobs' files (libs/blob-store/job-file-store.port.ts), chosen with BLOB_STORE_URL. */
export const JOB_FILES = Symbol('JOB_FILES');

export class JobFilesLifecycle implements OnApplicationShutdown {
  constructor(@Inject(JOB_FILES) private readonly files: JobFileStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.files.close();
  }
}
