import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationArguments } from 'class-validator';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { TransformationType } from 'class-transformer';

type Constructor = new () => object;

interface Rule {
  readonly type: string;
  readonly propertyName: string;
  readonly constraints: unknown[];
  readonly each?: boolean;
  readonly constraintCls: unknown;
}

interface ConstraintMetadata {
  readonly async: boolean;
  readonly instance: { validate(value: unknown, args: ValidationArguments): unknown };
}

interface Storage {
  getTargetValidationMetadatas(target: unknown, schema: string | undefined, always: boolean, strictGroups: boolean, groups?: string[]): Rule[];
  getTargetValidatorConstraints(target: unknown): ConstraintMetadata[];
}

interface Check {
  readonly constraint: ConstraintMetadata;
  readonly rule: Rule;
}

interface Property {
  readonly name: string;
  /** `ValidateNested` with `@Type(() => Dto)`: the value is a Dto built and checked the same way. */
  readonly nested: (() => Constructor) | null;
  /** `ValidateIf` and `IsOptional`: all must hold for the property's rules to run. */
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  /** `IsDefined` first, then the others, as class-validator runs them. */
  readonly checks: readonly Check[];
}

interface Plan {
  readonly cls: Constructor;
  readonly properties: readonly Property[];
  readonly byName: ReadonlyMap<string, Property>;
  readonly allowed: ReadonlySet<string>;
}

const RUN = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
  ValidationTypes.NESTED_VALIDATION,
]);

/** An object as JSON.parse and the query parser make them: no class of its own. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A value the fast path copies as class-transformer would (itself, or a new array of the same items); anything else goes the full way. */
const isFlat = (value: unknown): boolean => {
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))) return true;
  if (!Array.isArray(value)) return false;
  for (const item of value as unknown[]) {
    const itemType = typeof item;
    if (itemType !== 'string' && itemType !== 'boolean' && !(itemType === 'number' && Number.isFinite(item))) return false;
  }
  return true;
};

/**
 * The validation pipe's quick way for bodies and queries that pass
 * (decision 0063): a DTO's class-validator rules, looked up once, run
 * directly on an instance built the way class-transformer builds it, without
 * the error objects, promises and metadata scans of a full validation.
 *
 * It only ever accepts: whatever it cannot vouch for (a rule that fails, an
 * unknown field, a nested object, a nested DTO, an async or class-transformer
 * rule) returns undefined, and the pipe validates the ordinary way, which
 * then names the fields and reasons. So an answer differs from the full
 * validation's only in time; `FastValidation.verify` (the e2e harness turns
 * it on) checks that on every request the tests make.
 */
export class FastValidation {
  private readonly plans = new WeakMap<object, Plan | null>();
  private readonly storage = getMetadataStorage() as unknown as Storage;

  /** The DTO instance the full validation would return for `plain`, or undefined when that is for it to say. */
  accept(cls: Constructor, plain: Record<string, unknown>, kept: Record<string, unknown> | undefined): object | undefined {
    const plan = this.planOf(cls);
    if (plan === null) return undefined;
    const instance = new plan.cls() as Record<string, unknown>;
    for (const key of Object.keys(plain)) {
      const property = plan.byName.get(key);
      if (property === undefined) return undefined;
      const value = plain[key];
      if (property.nested !== null && isPlainObject(value)) {
        const nested = this.accept(property.nested(), value, undefined);
        if (nested === undefined) return undefined;
        instance[key] = nested;
      } else if (property.nested === null && isFlat(value)) {
        instance[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
      } else {
        return undefined;
      }
    }
    if (kept !== undefined) {
      for (const key of Object.keys(kept)) {
        if (!plan.allowed.has(key)) return undefined;
        instance[key] = kept[key];
      }
    }
    // class-validator's whitelist reads the instance's own keys, fields set by the class itself included.
    for (const key of Object.keys(instance)) if (!plan.allowed.has(key)) return undefined;
    for (const property of plan.properties) {
      const value = instance[property.name];
      let runs = true;
      for (const condition of property.conditions) runs = condition(instance, value) && runs;
      if (!runs) continue;
      // class-validator checks a nested DTO only when it is an object (above: built and checked); anything else it refuses.
      if (property.nested !== null && (value === null || value === undefined)) return undefined;
      for (const { constraint, rule } of property.checks) {
        const args: ValidationArguments = { targetName: plan.cls.name, property: rule.propertyName, object: instance, value, constraints: rule.constraints };
        if (rule.each === true && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
          const items: unknown[] = value instanceof Map ? [...value.values()] : [...(value as Iterable<unknown>)];
          for (const item of items) if (!this.passes(constraint.instance.validate(item, args))) return undefined;
        } else if (!this.passes(constraint.instance.validate(value, args))) {
          return undefined;
        }
      }
    }
    return instance;
  }

  /** A rule's answer counts only when it is a plain `true`: a promise (an async rule) is the full validation's to await. */
  private passes(answer: unknown): boolean {
    return answer === true;
  }

  private planOf(cls: Constructor): Plan | null {
    let plan = this.plans.get(cls);
    if (plan === undefined) {
      plan = this.compile(cls);
      this.plans.set(cls, plan);
    }
    return plan;
  }

  private compile(cls: Constructor): Plan | null {
    // The same lookup class-validator's executor makes for the pipe's options (no groups, `always` off).
    const rules = this.storage.getTargetValidationMetadatas(cls, undefined, false, false, undefined);
    if (rules.length === 0) return null;
    if (defaultMetadataStorage.getStrategy(cls) !== 'none') return null;
    if (defaultMetadataStorage.getExposedMetadatas(cls).length > 0 || defaultMetadataStorage.getExcludedMetadatas(cls).length > 0) return null;
    const byName = new Map<string, Rule[]>();
    for (const rule of rules) {
      if (!RUN.has(rule.type)) return null;
      const list = byName.get(rule.propertyName) ?? [];
      list.push(rule);
      byName.set(rule.propertyName, list);
    }
    const properties: Property[] = [];
    for (const [name, list] of byName) {
      const type = defaultMetadataStorage.findTypeMetadata(cls, name);
      const validatesNested = list.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION);
      if ((type === undefined) !== !validatesNested) return null;
      if (validatesNested && (list.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION && rule.each === true) || type?.options?.discriminator !== undefined)) {
        return null;
      }
      const typeFunction = type?.typeFunction;
      const nested = typeFunction === undefined ? null : () => typeFunction() as Constructor;
      if (defaultMetadataStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length > 0) return null;
      // class-transformer skips a property the prototype defines (a getter, a method); so does nobody here.
      for (let proto: object | null = cls.prototype as object; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
        if (Object.getOwnPropertyDescriptor(proto, name) !== undefined) return null;
      }
      const conditions = list
        .filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION)
        .map((rule) => rule.constraints[0] as (object: object, value: unknown) => boolean);
      const checks: Check[] = [];
      for (const type of [ValidationTypes.IS_DEFINED, ValidationTypes.CUSTOM_VALIDATION]) {
        for (const rule of list.filter((r) => r.type === type)) {
          for (const constraint of this.storage.getTargetValidatorConstraints(rule.constraintCls)) {
            if (constraint.async) return null;
            checks.push({ constraint, rule });
          }
        }
      }
      properties.push({ name, nested, conditions, checks });
    }
    return { cls, properties, byName: new Map(properties.map((p) => [p.name, p])), allowed: new Set(byName.keys()) };
  }
}
