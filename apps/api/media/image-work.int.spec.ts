import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import sharp from 'sharp';
import { examineImage } from './image-work';

/** libvips' threads in this process and their nice values (Linux: each thread is a task). */
function libvipsThreads(): number[] {
  return readdirSync('/proc/self/task')
    .filter((task) => {
      try {
        return readFileSync(`/proc/self/task/${task}/comm`, 'latin1').startsWith('libvips');
      } catch {
        return false;
      }
    })
    .map((task) => getPriority(Number(task)));
}

describe('image work yields the cores to the API’s own threads (MEDIA_IMAGE_NICE)', () => {
  it('lowers libvips’ threads to the configured nice value while it makes thumbnails, and leaves them with 0', async () => {
    expect(process.platform).toBe('linux');
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg()
      .toBuffer();
    const facts = await examineImage(photo, 40_000_000, 'file', 10);
    expect(facts).toMatchObject({ width: 1600, height: 1200 });
    const threads = libvipsThreads();
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every((nice) => nice >= 10)).toBe(true);
  });
});
