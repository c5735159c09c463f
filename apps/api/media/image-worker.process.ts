import { examine, ImageRefused, type ImageJob, type ImageReply } from './image-examine';

/*
 * Parley's image worker: a child process of the API at the lowest CPU
 * priority (image-work.ts), so decoding and thumbnailing uploads use only
 * what the API leaves of the machine. One message in (`ImageJob`), one out
 * (`ImageReply`); it ends when the API does.
 */
const send = (reply: ImageReply): void => {
  process.send?.(reply);
};

process.on('message', (job: ImageJob) => {
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  examine(bytes, job.maxPixels).then(
    (facts) => send({ id: job.id, facts }),
    (error: unknown) =>
      send({
        id: job.id,
        refused: error instanceof ImageRefused ? { reason: error.reason, message: error.message } : { reason: 'failed', message: String((error as Error)?.message ?? error) },
      }),
  );
});
// The API is gone (stopped or crashed): so is its image work.
process.on('disconnect', () => process.exit(0));
