import { Injectable, PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { validationError } from '../../../libs/domain/errors';

/** Group and policy ids are small positive integers handed out by the organisation; anything else is a 400 naming the parameter. */
@Injectable()
export class OrgIdParamPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const field = metadata.data ?? 'id';
    if (!/^[1-9][0-9]{0,8}$/.test(value)) {
      throw validationError('REQUEST.INVALID_ID', `${field} must be a group or policy id`, [{ field, reason: 'must be a positive integer' }]);
    }
    return Number(value);
  }
}
