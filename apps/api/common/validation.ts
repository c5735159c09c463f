import { BadRequestException, ValidationError, ValidationPipe, type ArgumentMetadata, type Type } from '@nestjs/common';
import type { TransformerPackage } from '@nestjs/common/interfaces/external/transformer-package.interface';
import * as classTransformer from 'class-transformer';
import type { ClassTransformOptions } from 'class-transformer';
import { rawJsonFields } from './bounded-json';
import { DECORATORS } from '@nestjs/swagger';
import { validationError, type ErrorDetail } from '../../../libs/domain/errors';
import type { ErrorBody } from './error-body';
import { cacheValidationMetadata } from './validation-metadata-cache';
import { FastValidation } from './fast-validation';
import { isDeepStrictEqual } from 'node:util';

function flatten(errors: readonly ValidationError[], prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const reason of Object.values(error.constraints ?? {})) details.push({ field, reason });
    if (error.children?.length) details.push(...flatten(error.children, field));
  }
  return details;
}

type Constructor = abstract new (...args: never[]) => unknown;

interface ModelProperty {
  readonly nullable?: boolean;
  readonly type?: unknown;
}

/** The @ApiProperty options of a DTO's property: the same declaration the OpenAPI document shows. */
function modelProperty(dto: Constructor, key: string): ModelProperty | undefined {
  return Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype as object, key) as ModelProperty | undefined;
}

/** The DTO class a property's value must be, if it is one (`type: Dto`, `[Dto]` or `() => Dto`). */
function nestedDto(type: unknown): Constructor | undefined {
  let candidate = Array.isArray(type) ? type[0] : type;
  if (typeof candidate === 'function' && candidate.prototype === undefined) candidate = (candidate as () => unknown)();
  if (Array.isArray(candidate)) candidate = candidate[0];
  if (typeof candidate !== 'function' || candidate === String || candidate === Number || candidate === Boolean || candidate === Object) {
    return undefined;
  }
  const keys = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, (candidate as Constructor).prototype as object) as
    | string[]
    | undefined;
  return keys?.length ? (candidate as Constructor) : undefined;
}

/**
 * `null` means "clear" only where the document says `nullable: true`;
 * anywhere else it is refused, naming the field (class-validator's
 * `IsOptional` would take it for "absent" and let it through).
 */
export function nullsRefused(dto: Constructor, value: unknown, prefix = ''): ErrorDetail[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => nullsRefused(dto, item, `${prefix}[${index}]`));
  const details: ErrorDetail[] = [];
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const property = modelProperty(dto, key);
    const path = prefix ? `${prefix}.${key}` : key;
    if (field === null) {
      if (property?.nullable !== true) details.push({ field: path, reason: 'must not be null (leave it out instead)' });
      continue;
    }
    const nested = property === undefined ? undefined : nestedDto(property.type);
    if (nested !== undefined) details.push(...nullsRefused(nested, field, path));
  }
  return details;
}

const isDto = (metatype: unknown): metatype is Constructor =>
  typeof metatype === 'function' && ![String, Number, Boolean, Object, Array].includes(metatype as never);

/** DTO validation: unknown fields are refused, a body is an object, null is not "absent", and every refusal names its field. */
class ParleyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && isDto(metadata.metatype)) {
      if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw validationError('REQUEST.BODY_NOT_OBJECT', 'The body must be a JSON object', [
          { field: 'body', reason: `must be an object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` },
        ]);
      }
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && isDto(metadata.metatype)) {
      const details = nullsRefused(metadata.metatype, value);
      if (details.length > 0) {
        throw validationError(
          'REQUEST.VALIDATION_FAILED',
          details.map((d) => `${d.field}: ${d.reason}`).join('; '),
          details,
        );
      }
    }
    if (metadata.type === 'body' && isDto(metadata.metatype) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      detachRawJson(metadata.metatype, value as Record<string, unknown>);
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && isDto(metadata.metatype) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const plain = value as Record<string, unknown>;
      const accepted = fast.accept(metadata.metatype as new () => object, plain, detached.get(plain));
      if (accepted !== undefined) return verifying ? this.verified(accepted, value, metadata) : accepted;
    }
    return super.transform(value, metadata);
  }

  /** The full validation of what the quick way accepted must accept it too, and build the same DTO. */
  private async verified(accepted: object, value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    let full: unknown;
    try {
      full = await super.transform(value, metadata);
    } catch (error) {
      throw new Error(`fast validation accepted a ${metadata.metatype?.name} the full validation refuses: ${JSON.stringify((error as { response?: unknown }).response ?? String(error))}`);
    }
    if (!(full instanceof (metadata.metatype as new () => object)) || !isDeepStrictEqual({ ...full }, { ...accepted })) {
      throw new Error(`fast validation built a ${metadata.metatype?.name} unlike the full validation's: ${JSON.stringify(accepted)} vs ${JSON.stringify(full)}`);
    }
    return accepted;
  }
}

const fast = new FastValidation();
let verifying = false;

/**
 * From now on, every body or query the quick way accepts is validated the
 * full way as well, and a difference is thrown (a 500). The e2e harness turns
 * this on, so every request of the suite checks decision 0063's promise.
 */
export function verifyFastValidation(): void {
  verifying = true;
}

/**
 * Free-form JSON fields (`@IsBoundedJson`) of bodies being validated, taken
 * out before Nest's pipe walks the body: it deletes keys named `constructor`
 * and `prototype` at any depth, and class-transformer would walk them as
 * nested DTOs (dropping keys named like Object.prototype's members). They go
 * back onto the DTO exactly as parsed; `__proto__` never gets this far (the
 * JSON parser refuses it).
 */
const detached = new WeakMap<object, Record<string, unknown>>();

function detachRawJson(dto: object, body: Record<string, unknown>): void {
  const kept: Record<string, unknown> = {};
  for (const field of rawJsonFields(dto)) {
    if (!Object.prototype.hasOwnProperty.call(body, field)) continue;
    kept[field] = body[field];
    delete body[field];
  }
  detached.set(body, kept);
}

/** class-transformer, putting the detached free-form JSON fields back on the DTO as parsed. */
const transformer: TransformerPackage = {
  classToPlain: classTransformer.classToPlain,
  plainToInstance<T>(cls: Type<T>, plain: unknown, options?: ClassTransformOptions): T | T[] {
    const kept = plain !== null && typeof plain === 'object' ? detached.get(plain) : undefined;
    const instance: T = classTransformer.plainToInstance(cls, plain, options);
    return kept === undefined ? instance : (Object.assign(instance as object, kept) as T);
  },
};

export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ParleyValidationPipe({
    transformerPackage: transformer,
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const body: ErrorBody = {
        statusCode: 400,
        code: 'REQUEST.VALIDATION_FAILED',
        message: details.map((d) => `${d.field}: ${d.reason}`).join('; ') || 'Invalid request',
        details,
      };
      return new BadRequestException(body);
    },
  });
}
