import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ErrorDetail } from '../../../libs/domain/errors';
import type { ErrorBody } from './error-body';

/*
 * The OpenAPI document is Parley's contract (docs/decisions/DECISION-0017).
 * Every operation declares its success responses (schema and content type)
 * and every error status it can answer, the errors with the one ErrorBody
 * schema. The e2e suite validates every response against the document, and
 * test/openapi-contract.e2e.spec.ts names any operation that declares less.
 */

export class ErrorDetailDto implements ErrorDetail {
  @ApiProperty({ example: 'username', description: 'The field, header or parameter refused (a path such as contacts[3].contactId)' })
  field!: string;

  @ApiProperty({ example: 'must be 3-32 letters, digits, ".", "-" or "_"' })
  reason!: string;
}

/** The one error body of the API. */
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'REQUEST.VALIDATION_FAILED', pattern: '^[A-Z0-9_]+(\\.[A-Z0-9_]+)+$', description: 'Stable; branch on it' })
  code!: string;

  @ApiProperty({ example: 'username: must be 3-32 letters, digits, ".", "-" or "_"', description: 'For people; may change' })
  message!: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Each field refused and why' })
  details?: ErrorDetailDto[];
}

/**
 * Every error status an operation may declare, and what it means in Parley.
 * The one list: add a status here before an operation can declare it.
 */
export const ERROR_RESPONSES = {
  400: 'The request is invalid: details name each field and the reason (nothing was written)',
  401: 'No valid credentials: the access token or API key is missing, invalid, expired or revoked',
  403: 'The caller may not do this (not a member, not allowed by the room, an API key without the scope)',
  404: 'No such resource, or none the caller may see',
  409: 'Conflicts with the current state (taken, already done, changed meanwhile: retry)',
  413: 'The body is larger than this operation accepts',
  415: 'The body is not in a media type this operation accepts',
  416: 'The range asked for starts beyond the end of the content (Content-Range names its size)',
  429: 'Too many requests: wait for Retry-After seconds',
  503: 'Not available right now (the read models are behind, a store is unreachable): retry after Retry-After',
  507: 'The server has no room left to store this',
} as const;

export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Declares error answers with the one ErrorBody schema (JSON, whatever the success media type). */
export const ApiErrors = (...statuses: ErrorStatus[]) =>
  applyDecorators(
    ...[...new Set(statuses)].map((status) =>
      ApiResponse({
        status,
        description: ERROR_RESPONSES[status],
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
      }),
    ),
  );

/**
 * Errors any command with a JSON body may answer: invalid, conflicting, too
 * large, not JSON; and what any write can answer besides its own rules: 503 while a store or the
 * writer is unavailable, 507 when storage is full (nothing written).
 */
export const COMMAND_ERRORS: readonly ErrorStatus[] = [400, 409, 413, 415, 503, 507];

/** A controller of the signed-in user's API: Bearer access token, 401 without a valid one. */
export const UserApi = () => applyDecorators(ApiBearerAuth(), ApiErrors(401));

/** Schema fragments for response DTOs. */
export const UUID = { type: String, format: 'uuid' } as const;
export const DATE_TIME = { type: String, format: 'date-time' } as const;
export const POSITION = { type: String, pattern: '^\\d+$', description: 'A global log position (decimal); pass it as X-Min-Position', example: '1234' } as const;
export const WHOLE = { type: 'integer', minimum: 0 } as const;

/** A success answer without a body (RFC 7009's revocation, for one): said so, so the contract test does not ask for a schema. */
export const ApiEmptyResponse = (status: number, description: string) =>
  applyDecorators(ApiResponse({ status, description }), ApiExtension('x-parley-empty-body', true));
