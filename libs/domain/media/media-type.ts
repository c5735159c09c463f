/**
 * The media types Parley recognises by their bytes. A client's claimed type
 * is never trusted: what the bytes say is what is stored and served.
 */
export const KNOWN_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'application/zip',
  'video/mp4',
  'audio/mpeg',
  'text/plain',
  'application/octet-stream',
] as const;
export type KnownMediaType = (typeof KNOWN_MEDIA_TYPES)[number];

/** Types made into thumbnails (sharp decodes them); the others are stored as they are. */
export const IMAGE_TYPES: readonly KnownMediaType[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'];
export const isImageType = (type: string): boolean => (IMAGE_TYPES as readonly string[]).includes(type);

/** The long side of each thumbnail Parley makes of an image, in pixels (never larger than the original). */
export const THUMBNAIL_SIZES = [64, 256, 1024] as const;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** Whether the first bytes are UTF-8 text people write: no NUL, no control characters but tab, line breaks and form feed. */
function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  for (const byte of sample) {
    if (byte === 0 || byte === 0x7f) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
  }
  try {
    // A sample may end inside a character: only a whole buffer has to decode strictly.
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length === bytes.length ? sample : sample.subarray(0, sample.length - 4));
    return true;
  } catch {
    return false;
  }
}

/** The type the bytes are, from their signature; `application/octet-stream` when nothing matches. */
export function sniffMediaType(bytes: Uint8Array): KnownMediaType {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    return brand === 'avif' || brand === 'avis' ? 'image/avif' : 'video/mp4';
  }
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (startsWith(bytes, ascii('ID3')) || (bytes.length > 1 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (bytes.length > 0 && looksLikeText(bytes)) return 'text/plain';
  return 'application/octet-stream';
}

/**
 * Whether a client's claimed type agrees with the sniffed one. A claim of
 * `application/octet-stream` (what browsers send when they do not know) or
 * none agrees with anything; parameters (`; charset=utf-8`) are ignored.
 */
export function claimAgrees(claimed: string | null, sniffed: string): boolean {
  if (claimed === null) return true;
  const bare = claimed.split(';', 1)[0]!.trim().toLowerCase();
  if (bare === '' || bare === 'application/octet-stream') return true;
  if (bare === sniffed) return true;
  // Synonyms clients send.
  const aliases: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'application/x-zip-compressed': 'application/zip', 'audio/mp3': 'audio/mpeg' };
  return aliases[bare] === sniffed;
}


/** Dimensions a client states for an upload (Trillian's `imagewidth` / `imageheight`). */
export interface ClaimedDimensions {
  readonly width: number | null;
  readonly height: number | null;
}

/**
 * Where a client's stated dimensions disagree with what the bytes are, as
 * the field and the reason; null when they agree. Only an image has
 * dimensions; either orientation is taken (a client may state the stored
 * pixels before EXIF turns them).
 */
export function dimensionsDisagree(claim: ClaimedDimensions, image: { readonly width: number; readonly height: number } | null): { field: string; reason: string } | null {
  if (claim.width === null && claim.height === null) return null;
  const field = claim.width !== null ? 'imagewidth' : 'imageheight';
  if (image === null) return { field, reason: 'only an image has dimensions' };
  const fits = (w: number, h: number) => (claim.width === null || claim.width === w) && (claim.height === null || claim.height === h);
  if (fits(image.width, image.height) || fits(image.height, image.width)) return null;
  return { field, reason: `the image is ${image.width}×${image.height} pixels` };
}
