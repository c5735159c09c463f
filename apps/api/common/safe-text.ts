import { ValidateBy, type ValidationOptions } from 'class-validator';
import {
  hasCharactersNotInNames,
  hasCharactersNotInText,
  NAME_CHARACTERS_REASON,
  TEXT_CHARACTERS_REASON,
} from '../../../libs/domain/text';

/**
 * A name field (room name, display name, nickname, contact or key name): no
 * control, bidirectional override or zero-width characters. The deciders
 * apply the same rule (`libs/domain/text.ts`); this refuses at the edge with
 * the field named. Non-strings pass, for `@IsString` to refuse.
 */
export function IsName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isName',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasCharactersNotInNames(value),
        defaultMessage: (args) => `${args?.property ?? 'name'} ${NAME_CHARACTERS_REASON}`,
      },
    },
    options,
  );
}

/** Free text (comments, messages): anything people write, but never NUL. */
export function IsText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasCharactersNotInText(value),
        defaultMessage: (args) => `${args?.property ?? 'text'} ${TEXT_CHARACTERS_REASON}`,
      },
    },
    options,
  );
}
