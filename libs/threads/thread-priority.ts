import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * Lowers the scheduling priority of the calling worker thread alone (Linux:
 * the nice value is a per-thread attribute, and `/proc/thread-self` names the
 * thread's id). Returns null when done, else why not: the main thread is
 * never touched, and elsewhere than Linux nothing is changed, since a
 * per-process nice value would slow the API's own thread too.
 */
export function lowerThreadPriority(priority: number): string | null {
  if (isMainThread) return 'the main thread keeps its priority';
  let link: string;
  try {
    link = readlinkSync('/proc/thread-self');
  } catch {
    return 'no /proc/thread-self: per-thread priorities are a Linux feature';
  }
  const tid = /\/task\/(\d+)$/.exec(link)?.[1];
  if (tid === undefined) return `unexpected /proc/thread-self link ${link}`;
  try {
    setPriority(Number(tid), priority);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
