import { revised } from './revised';

describe('revised', () => {
  it('is the document with the fields replaced or added, as a new object, the original untouched', () => {
    const doc = { id: 'c1', text: 'hello', ord: 1 };
    const next = revised(doc, { text: 'edited', deleted: true });
    expect(next).toEqual({ id: 'c1', text: 'edited', ord: 1, deleted: true });
    expect(next).not.toBe(doc);
    expect(doc).toEqual({ id: 'c1', text: 'hello', ord: 1 });
  });
});
