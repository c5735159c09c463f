import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { jsonLimitViolation, type JsonLimits } from '../../../libs/domain/json-limits';

/**
 * A free-form JSON field within `limits` (libs/domain/json-limits.ts): the
 * edge refuses what a read store could not hold, with the field and the
 * reason, before anything reaches the log.
 */
export function IsBoundedJson(limits: JsonLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
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
