import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ErrorDetail } from '../../../libs/domain/errors';
import type { ErrorBody } from './error-body';

function flatten(errors: readonly ValidationError[], prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const reason of Object.values(error.constraints ?? {})) details.push({ field, reason });
    if (error.children?.length) details.push(...flatten(error.children, field));
  }
  return details;
}

/** DTO validation: unknown fields are refused, and every refusal names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
