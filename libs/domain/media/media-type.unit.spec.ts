import { claimAgrees, dimensionsDisagree, sniffMediaType } from './media-type';

describe('sniffMediaType: the type is what the bytes say', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

  it.each([
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR')],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['image/webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['image/avif', bytes([0, 0, 0, 0x1c], 'ftypavif')],
    ['video/mp4', bytes([0, 0, 0, 0x18], 'ftypisom')],
    ['application/pdf', bytes('%PDF-1.7\n')],
    ['application/zip', bytes('PK', [3, 4, 20, 0])],
    ['audio/mpeg', bytes('ID3', [4, 0])],
    ['text/plain', bytes('Sales goals for the quarter\n')],
    ['text/plain', Buffer.from('Grüße aus Köln, 東京', 'utf8')],
    ['application/octet-stream', bytes([0, 1, 2, 3, 4, 5])],
    ['application/octet-stream', Buffer.alloc(0)],
  ])('%s', (type, content) => {
    expect(sniffMediaType(content)).toBe(type);
  });

  it('does not call invalid UTF-8 text', () => {
    expect(sniffMediaType(Buffer.from([0x41, 0xc3, 0x28, 0x41]))).toBe('application/octet-stream');
  });
});

describe('claimAgrees', () => {
  it('accepts no claim, octet-stream, the same type with parameters, and known synonyms', () => {
    expect(claimAgrees(null, 'image/png')).toBe(true);
    expect(claimAgrees('application/octet-stream', 'image/png')).toBe(true);
    expect(claimAgrees('text/plain; charset=utf-8', 'text/plain')).toBe(true);
    expect(claimAgrees('image/jpg', 'image/jpeg')).toBe(true);
  });

  it('refuses a claim the bytes contradict', () => {
    expect(claimAgrees('image/png', 'image/jpeg')).toBe(false);
    expect(claimAgrees('image/jpeg', 'text/plain')).toBe(false);
  });
});

describe('dimensionsDisagree', () => {
  it('agrees with no claim, with the dimensions either way round, and with one side stated', () => {
    expect(dimensionsDisagree({ width: null, height: null }, null)).toBeNull();
    expect(dimensionsDisagree({ width: 640, height: 480 }, { width: 640, height: 480 })).toBeNull();
    expect(dimensionsDisagree({ width: 480, height: 640 }, { width: 640, height: 480 })).toBeNull();
    expect(dimensionsDisagree({ width: null, height: 480 }, { width: 640, height: 480 })).toBeNull();
  });

  it('names the field when the image is another size, or when what is stated is not an image', () => {
    expect(dimensionsDisagree({ width: 641, height: 480 }, { width: 640, height: 480 })).toEqual({ field: 'imagewidth', reason: 'the image is 640×480 pixels' });
    expect(dimensionsDisagree({ width: null, height: 10 }, null)).toEqual({ field: 'imageheight', reason: 'only an image has dimensions' });
  });
});
