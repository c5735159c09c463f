import { DomainError, tooLarge } from '../../../libs/domain/errors';
import { UploadFormReader } from './streamed-form-upload';
import { UploadJsonReader } from './streamed-json-upload';

const TOO_LARGE = () => tooLarge('MEDIA.TOO_LARGE', 'too large', [{ field: 'data', reason: 'too large' }]);

/** Feeds the form in chunks of `size` bytes, as a socket might. */
function read(text: string, size: number, maxBytes = 1024 * 1024) {
  const reader = new UploadFormReader(new UploadJsonReader(maxBytes, TOO_LARGE, { thumbnail: 200 }), ['data', 'thumbnail']);
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  return reader.end();
}

function refusal(text: string, maxBytes?: number): { code: string; field: string | undefined } {
  try {
    read(text, 5, maxBytes);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.details?.[0]?.field };
    throw error;
  }
  throw new Error('not refused');
}

describe('UploadFormReader: a urlencoded upload read as it streams in', () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const b64 = bytes.toString('base64');

  it.each([1, 2, 3, 1000, 1 << 20])('decodes escaped base64 and keeps the other fields as text, whatever the chunk size (%i)', (size) => {
    const form = new URLSearchParams({ name: 'Sales "Goals" + more.txt', data: b64, type: 'text/plain', imagewidth: '640' }).toString();
    expect(form).toContain('%2B');
    const { fields, data } = read(form, size);
    expect(data).toEqual(bytes);
    expect(fields).toEqual({ name: 'Sales "Goals" + more.txt', type: 'text/plain', imagewidth: '640' });
  });

  it('takes a bare + in a base64 field as base64 (curl -d sends it so), and as a space elsewhere; = unescaped in a value; a key alone is empty', () => {
    const { fields, data } = read(`name=a+b&data=${b64}&thumbnail=SGk+Pgo=&flag`, 7);
    expect(data).toEqual(bytes);
    expect(fields).toEqual({ name: 'a b', thumbnail: 'SGk+Pgo=', flag: '' });
  });

  it('refuses what is not base64, a broken escape, a field given twice, a long field, and decoded bytes beyond the limit, naming the field', () => {
    expect(refusal('data=not+base64!!')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
    expect(refusal('data=QQ%ZZ')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
    expect(refusal('data=QQ%2')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'body' });
    expect(refusal('type=a&type=b&data=')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'type' });
    expect(refusal(`thumbnail=${'A'.repeat(204)}`)).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'thumbnail' });
    expect(refusal(`data=${b64}`, 100)).toEqual({ code: 'MEDIA.TOO_LARGE', field: 'data' });
  });
});
