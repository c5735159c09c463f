import sharp from 'sharp';
import { THUMBNAIL_SIZES } from '../../../libs/domain/media/media-type';

export interface ImageFacts {
  /** As shown: after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  readonly thumbnails: readonly { readonly size: number; readonly type: string; readonly bytes: Buffer | null; readonly width: number; readonly height: number }[];
}

/** One image to examine, sent to the image worker process. */
export interface ImageJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly maxPixels: number;
}

/** The worker's answer: the facts, or why the image was refused ('failed': the work itself broke). */
export type ImageReply =
  | { readonly id: number; readonly facts: ImageFacts }
  | { readonly id: number; readonly refused: { readonly reason: 'pixels' | 'decode' | 'failed'; readonly message: string } };

/** Why an image was refused: the upload answers 400 naming the field. */
export class ImageRefused extends Error {
  constructor(
    readonly reason: 'pixels' | 'decode',
    message: string,
  ) {
    super(message);
  }
}

sharp.concurrency(1);

/**
 * What Parley learns from an image and the thumbnails it makes, with sharp
 * (libvips), in the image worker process (image-worker.process.ts). The
 * whole image is decoded (a truncated file fails), at most `maxPixels`
 * pixels (a decompression bomb fails before it is decoded). A thumbnail's
 * long side is its documented size; where the original is no larger,
 * `bytes` is null and the original serves (never enlarged).
 */
export async function examine(bytes: Buffer, maxPixels: number): Promise<ImageFacts> {
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
    if (/pixel limit/i.test(message)) throw new ImageRefused('pixels', message);
    throw new ImageRefused('decode', message.split('\n', 1)[0] ?? message);
  }
}
