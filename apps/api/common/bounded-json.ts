import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { jsonLimitViolation, type JsonLimits } from '../../../libs/domain/json-limits';

/**
 * Free-form JSON fields per DTO class. The validation pipe hands them over as
 * parsed: class-transformer would walk them as if they were DTOs, dropping
 * keys named like Object.prototype's members (`toString`, `prototype`) and
 * failing on a `constructor` key.
 */
const RAW_JSON_FIELDS = new WeakMap<object, Set<string>>();

/** The free-form JSON fields of a DTO class (and its base classes). */
export function rawJsonFields(dto: object): readonly string[] {
  const fields: string[] = [];
  for (let current: unknown = dto; typeof current === 'function'; current = Object.getPrototypeOf(current)) {
    fields.push(...(RAW_JSON_FIELDS.get(current as object) ?? []));
  }
  return fields;
}

/**
 * A free-form JSON field within `limits` (libs/domain/json-limits.ts): the
 * edge refuses what a read store could not hold, with the field and the
 * reason, before anything reaches the log.
 */
export function IsBoundedJson(limits: JsonLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const fields = RAW_JSON_FIELDS.get(target.constructor) ?? new Set<string>();
    fields.add(String(propertyName));
    RAW_JSON_FIELDS.set(target.constructor, fields);
    registerDecorator({
      name: 'isBoundedJson',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => jsonLimitViolation(value, limits) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${jsonLimitViolation(args.value, limits) ?? 'is beyond its limits'}`,
      },
    });
  };
}
