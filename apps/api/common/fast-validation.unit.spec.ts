import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Validate, ValidateIf, ValidateNested, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import type { ArgumentMetadata } from '@nestjs/common';
import { FastValidation } from './fast-validation';
import { createValidationPipe } from './validation';

class DeviceDto {
  @IsString()
  @MaxLength(8)
  name!: string;
}

class BodyDto {
  @IsIn(['online', 'away'])
  status!: string;

  @IsOptional()
  @IsString()
  @MaxLength(10)
  message?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsUUID('all', { each: true })
  ids?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => DeviceDto)
  device?: DeviceDto;

  /** Checked only when there is no message. */
  @ValidateIf((o: BodyDto) => o.message === undefined)
  @IsString()
  reason?: string;
}

@ValidatorConstraint({ name: 'later', async: true })
class Later implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

class AsyncDto {
  @Validate(Later)
  name!: string;
}

class QueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;
}

/** A body as the HTTP server hands it over: parsed JSON, objects of this realm. */
const parsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const UUID = '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b';
const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype, data: undefined });

/** What the whole pipe (full validation only, its quick way bypassed) makes of `plain`: the DTO, or the refusal. */
async function full(plain: Record<string, unknown>, metatype: new () => object = BodyDto): Promise<unknown> {
  const pipe = createValidationPipe();
  const quick = FastValidation.prototype.accept;
  FastValidation.prototype.accept = () => undefined;
  try {
    return await pipe.transform(parsed(plain), body(metatype));
  } catch (error) {
    return { refused: (error as { response?: unknown }).response };
  } finally {
    FastValidation.prototype.accept = quick;
  }
}

describe('FastValidation (the validation pipe’s quick way, decision 0063)', () => {
  const fast = new FastValidation();

  it.each([
    ['the required field alone (the conditional one given)', { status: 'online', reason: 'r' }],
    ['every optional field, with the conditional one skipped', { status: 'away', message: 'hi', ids: [UUID], device: { name: 'phone' } }],
  ])('accepts %s and builds the DTO the full validation builds', async (_name, plain) => {
    const accepted = fast.accept(BodyDto, parsed(plain), undefined);
    expect(accepted).toBeInstanceOf(BodyDto);
    const built = await full(plain);
    expect(built).toBeInstanceOf(BodyDto);
    expect(accepted).toStrictEqual(built);
    const device = (accepted as BodyDto).device;
    if (device !== undefined) expect(device).toBeInstanceOf(DeviceDto);
  });

  it.each([
    ['a rule that fails', { status: 'gone', reason: 'r' }],
    ['a rule on each item that fails for one', { status: 'online', reason: 'r', ids: [UUID, 'nope'] }],
    ['a conditional rule that applies and fails', { status: 'online' }],
    ['an unknown field', { status: 'online', reason: 'r', extra: 1 }],
    ['an unknown field inside the nested DTO', { status: 'online', reason: 'r', device: { name: 'p', os: 'x' } }],
    ['a nested DTO whose rule fails', { status: 'online', reason: 'r', device: { name: 'much too long' } }],
    ['a nested DTO given as a string', { status: 'online', reason: 'r', device: 'phone' }],
  ])('leaves %s to the full validation, which refuses it', async (_name, plain) => {
    expect(fast.accept(BodyDto, parsed(plain) as Record<string, unknown>, undefined)).toBeUndefined();
    expect(await full(plain as Record<string, unknown>)).toEqual({ refused: expect.objectContaining({ statusCode: 400, code: 'REQUEST.VALIDATION_FAILED' }) });
  });

  it('leaves DTOs with an async rule or a class-transformer conversion to the full validation', () => {
    expect(fast.accept(AsyncDto, { name: 'x' }, undefined)).toBeUndefined();
    expect(fast.accept(QueryDto, { limit: '5' }, undefined)).toBeUndefined();
  });

  it('answers through the pipe: the same DTO as the full validation, the same refusal', async () => {
    const pipe = createValidationPipe();
    const ok = { status: 'away', message: 'hi', ids: [UUID] };
    expect(await pipe.transform(parsed(ok), body(BodyDto))).toStrictEqual(await full(ok));
    const bad = { status: 'away', message: 'far too long a message' };
    const refused = await pipe.transform(parsed(bad), body(BodyDto)).catch((error: { response?: unknown }) => ({ refused: error.response }));
    expect(refused).toEqual(await full(bad));
    expect(refused).toEqual({ refused: expect.objectContaining({ details: [{ field: 'message', reason: 'message must be shorter than or equal to 10 characters' }] }) });
  });
});
