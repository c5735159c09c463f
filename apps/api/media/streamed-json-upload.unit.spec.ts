import { DomainError, tooLarge } from '../../../libs/domain/errors';
import { UploadJsonReader } from './streamed-json-upload';

const TOO_LARGE = () => tooLarge('MEDIA.TOO_LARGE', 'too large', [{ field: 'data', reason: 'too large' }]);

/** Feeds the text in chunks of `size` bytes, as a socket might. */
function read(text: string, size: number, maxBytes = 1024 * 1024) {
  const reader = new UploadJsonReader(maxBytes, TOO_LARGE);
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  return reader.end();
}

function refusal(text: string, maxBytes?: number): { code: string; field: string | undefined } {
  try {
    read(text, 7, maxBytes);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.details?.[0]?.field };
    throw error;
  }
  throw new Error('not refused');
}

describe('UploadJsonReader: an upload’s JSON read as it streams in', () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const b64 = bytes.toString('base64');

  it.each([1, 3, 4, 1000, 1 << 20])('decodes data and keeps the small fields, whatever the chunk size (%i)', (size) => {
    const { fields, data } = read(` { "name" : "Sales \\"Goals\\".txt", "data":"${b64}", "type": "text/plain" } `, size);
    expect(data).toEqual(bytes);
    expect(fields).toEqual({ name: 'Sales "Goals".txt', type: 'text/plain' });
  });

  it('takes the escaped slash some JSON writers emit, and padding', () => {
    const odd = Buffer.from([0xff, 0xef, 0xfe]);
    expect(read(`{"data":"${odd.toString('base64').replace(/\//g, '\\/')}"}`, 2).data).toEqual(odd);
    expect(read('{"data":"QQ=="}', 1).data).toEqual(Buffer.from('A'));
  });

  it('passes other fields and non-string values through for the route to judge', () => {
    expect(read('{"url":null}', 3)).toEqual({ fields: { url: null }, data: null });
    expect(read('{"data":5,"meta":{"a":[1,"}"]}}', 2).fields).toEqual({ data: 5, meta: { a: [1, '}'] } });
  });

  it('refuses what is not base64, naming data', () => {
    expect(refusal('{"data":"not base64!!"}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
    expect(refusal('{"data":"QQ=A"}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
    expect(refusal('{"data":"QQQ"}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
    expect(refusal('{"data":"QQ\\n"}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'data' });
  });

  it('refuses malformed JSON and repeated fields, naming body or the field', () => {
    expect(refusal('[1,2]')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'body' });
    expect(refusal('{"data":"QQ==" "x":1}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'body' });
    expect(refusal('{"data":"QQ=="')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'body' });
    expect(refusal('{"name":"a","name":"b","data":"QQ=="}')).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'name' });
    expect(refusal(`{"name":"${'x'.repeat(5000)}"}`)).toEqual({ code: 'REQUEST.VALIDATION_FAILED', field: 'name' });
  });

  it('stops at the limit as soon as the decoded bytes pass it', () => {
    const reader = new UploadJsonReader(1000, TOO_LARGE);
    reader.push(Buffer.from('{"data":"'));
    expect(() => {
      for (let i = 0; i < 100; i++) reader.push(Buffer.from('A'.repeat(4096)));
    }).toThrow(expect.objectContaining({ code: 'MEDIA.TOO_LARGE' }) as unknown as Error);
  });
});
