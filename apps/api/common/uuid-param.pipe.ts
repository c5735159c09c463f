import { Injectable, PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { validationError } from '../../../libs/domain/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids are UUIDs; anything else is a 400 naming the parameter. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID.test(value)) {
      const field = metadata.data ?? 'id';
      throw validationError('REQUEST.INVALID_ID', `${field} must be an id this API issued`, [
        { field, reason: 'must be a UUID' },
      ]);
    }
    return value.toLowerCase();
  }
}
