import { IsInt, IsString, registerDecorator, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: unknown;
}

class Derived extends Base {
  @IsInt()
  count!: unknown;
}

const failures = (value: object) => validateSync(value).map((error) => `${error.property}:${Object.keys(error.constraints ?? {}).join(',')}`);

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('answers the same rules, inherited ones included, on every validation', () => {
    const bad = Object.assign(new Derived(), { name: 1, count: 'x' });
    expect(failures(bad)).toEqual(['count:isInt', 'name:isString']);
    expect(failures(bad)).toEqual(['count:isInt', 'name:isString']);
    expect(failures(Object.assign(new Derived(), { name: 'a', count: 1 }))).toEqual([]);
  });

  it('sees a rule added after a class was validated', () => {
    const value = Object.assign(new Base(), { name: 'short' });
    expect(failures(value)).toEqual([]);
    registerDecorator({
      target: Base,
      propertyName: 'name',
      name: 'isLong',
      validator: { validate: (name: unknown) => typeof name === 'string' && name.length > 10 },
    });
    expect(failures(value)).toEqual(['name:isLong']);
  });
});
