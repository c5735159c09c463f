import type { ErrorDetail } from '../../../libs/domain/errors';

/** The one error body of the API. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly details?: readonly ErrorDetail[];
}
