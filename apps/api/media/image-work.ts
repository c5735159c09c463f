import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { validationError } from '../../../libs/domain/errors';
import { THUMBNAIL_SIZES } from '../../../libs/domain/media/media-type';

export interface ImageFacts {
  /** As shown: after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  readonly thumbnails: readonly { readonly size: number; readonly type: string; readonly bytes: Buffer | null; readonly width: number; readonly height: number }[];
}

/**
 * Image work shares the machine with the event loop: libvips runs one thread
 * per image, and at most half the cores' worth of images are worked on at
 * once (the others wait their turn), so sends keep a core while uploads
 * arrive (bench/media.bench.ts measures it).
 */
sharp.concurrency(1);
const IMAGE_WORK_SLOTS = Math.max(1, Math.floor(availableParallelism() / 2));
let busySlots = 0;
const waiting: (() => void)[] = [];

async function inImageSlot<T>(work: () => Promise<T>): Promise<T> {
  if (busySlots >= IMAGE_WORK_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else busySlots++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else busySlots--;
  }
}

/**
 * What Parley learns from an image and the thumbnails it makes, with sharp
 * (libvips): its work runs on libuv's thread pool, never on the event loop.
 * The whole image is decoded (a truncated file fails), at most `maxPixels`
 * pixels (a decompression bomb fails before it is decoded). A thumbnail's
 * long side is its documented size; where the original is no larger,
 * `bytes` is null and the original serves (never enlarged).
 */
export function examineImage(bytes: Buffer, maxPixels: number, field: string): Promise<ImageFacts> {
  return inImageSlot(() => examine(bytes, maxPixels, field));
}

async function examine(bytes: Buffer, maxPixels: number, field: string): Promise<ImageFacts> {
  const options = { limitInputPixels: maxPixels, failOn: 'truncated' as const, autoOrient: true };
  try {
    const meta = await sharp(bytes, options).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) throw new Error('no dimensions');
    if (width * height > maxPixels) throw new Error('Input image exceeds pixel limit');
    const transparent = meta.hasAlpha === true;
    // The original is decoded once, to the largest size; each smaller size is made from the one before.
    const made: ImageFacts['thumbnails'][number][] = [];
    let source: { bytes: Buffer; options: typeof options | { failOn: 'truncated' } } = { bytes, options };
    for (const size of [...THUMBNAIL_SIZES].sort((a, b) => b - a)) {
      if (Math.max(width, height) <= size) {
        made.push({ size, type: 'original', bytes: null, width, height });
        continue;
      }
      const resized = sharp(source.bytes, source.options).resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true });
      const { data, info } = await (transparent ? resized.png() : resized.jpeg({ quality: 82 })).toBuffer({ resolveWithObject: true });
      made.push({ size, type: transparent ? 'image/png' : 'image/jpeg', bytes: data, width: info.width, height: info.height });
      // A thumbnail is already oriented: read as it is.
      source = { bytes: data, options: { failOn: 'truncated' } };
    }
    const thumbnails = THUMBNAIL_SIZES.map((size) => made.find((t) => t.size === size)!);
    return { width, height, thumbnails };
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) {
      throw validationError('MEDIA.TOO_MANY_PIXELS', `${field} is an image of more than ${maxPixels} pixels`, [
        { field, reason: `the image has more than ${maxPixels} pixels (MEDIA_MAX_PIXELS)` },
      ]);
    }
    throw validationError('MEDIA.IMAGE_INVALID', `${field} is not a whole image: ${message.split('\n', 1)[0]}`, [
      { field, reason: 'the image cannot be decoded (truncated or corrupt)' },
    ]);
  }
}
