import type { Readable } from 'node:stream';

/**
 * The files of export and import jobs (issue 20 item 1): a Qiscus export a
 * job wrote, an uploaded import waiting for its job. Named, not content
 * addressed like media (a job's file is replaced when the job runs again and
 * removed with the job), and kept where every API process can reach it:
 * under DATA_DIR on the embedded profile, in MongoDB GridFS in production, so
 * that no job's file lives on one container's disk.
 */
export interface JobFileStore {
  /**
   * Starts writing a file. Nothing of it is visible until `finish` resolves;
   * then it replaces any file of that name whole. `abort` drops what was written.
   */
  create(name: string): Promise<JobFileWriter>;
  /** `create`, one write and `finish` in one call. */
  put(name: string, bytes: Buffer): Promise<JobFileInfo>;
  stat(name: string): Promise<JobFileInfo | null>;
  /** The file's bytes as a stream, or null when there is no file of that name. */
  read(name: string): Promise<{ readonly size: number; readonly stream: Readable } | null>;
  /** Removes the file; false when there was none. */
  delete(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface JobFileInfo {
  readonly name: string;
  readonly size: number;
}

export interface JobFileWriter {
  write(chunk: string | Buffer): Promise<void>;
  /** Makes the file durable and visible; answers its size. */
  finish(): Promise<JobFileInfo>;
  abort(): Promise<void>;
}

/** `<folder>/<file>`: one lower-case folder and a file name with no path in it. */
const NAME = /^[a-z]+\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Refuses what is not a job file's name before it reaches a path or a query. */
export function assertJobFileName(name: string): void {
  if (!NAME.test(name) || name.includes('..')) throw new Error(`not a job file name (folder/file): ${JSON.stringify(name)}`);
}

export const exportJobFile = (jobId: string): string => `exports/${jobId}.json`;
export const importJobFile = (jobId: string): string => `imports/${jobId}.json`;

/** Reads a whole job file; null when there is none. */
export async function readJobFile(store: JobFileStore, name: string): Promise<Buffer | null> {
  const found = await store.read(name);
  if (found === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of found.stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
