import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorBodyDto, ErrorDetailDto } from './openapi';

const REF = '#/components/schemas/';

/** Parley's OpenAPI document, served at /docs-json: the decorators' document plus the rules that hold for every operation. */
export function createParleyDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Parley')
    .setDescription(
      'Event-sourced messaging backend: rooms, members, comments, read state, replayable history. ' +
        'Every answer is described here; every error answers with ErrorBody.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'QISCUS_SDK_SECRET', description: 'Qiscus surfaces: the server secret (QISCUS-SDK-SECRET also accepted)' }, 'qiscus-secret')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'QISCUS-SDK-TOKEN', description: 'Qiscus client SDK: the access token login_or_register answered (a Parley access token)' }, 'qiscus-sdk-token')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto, ErrorDetailDto] });
  closeRequestSchemas(document);
  declareIdParameters(document);
  declareAccountSelector(document);
  return document;
}

/**
 * Every operation a Bearer token opens may act as one of the login's phone
 * accounts (AuthGuard): the header is declared there, with the 400 a
 * malformed value and the 404 an account not the login's answer.
 */
function declareAccountSelector(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      if (!operation?.security?.some((requirement) => 'bearer' in requirement)) continue;
      // The seeds' surfaces choose accounts their own way (Windu's account=).
      if ((operation as { 'x-parley-compat'?: unknown })['x-parley-compat'] !== undefined) continue;
      operation.parameters = [
        ...(operation.parameters ?? []),
        {
          name: 'X-Parley-Account',
          in: 'header',
          required: false,
          description: 'Act as this phone account of the signed-in login (GET /v1/me/accounts); the login itself when absent',
          schema: { type: 'string', format: 'uuid' },
        },
      ];
      for (const [status, description] of [
        ['400', 'X-Parley-Account is not an id (or the request is invalid otherwise)'],
        ['404', 'X-Parley-Account names no verified account of this login (or no such resource)'],
      ] as const) {
        operation.responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: `${REF}ErrorBodyDto` } } },
        };
      }
    }
  }
}

/** Path parameters that UuidParamPipe reads: ids this API issued. */
const UUID_PATH_PARAMETERS = new Set(['id', 'roomId', 'userId', 'commentId']);

/** Path ids are UUIDs (UuidParamPipe answers 400 otherwise): the document says so. */
function declareIdParameters(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      for (const parameter of operation?.parameters ?? []) {
        if ('$ref' in parameter || parameter.in !== 'path' || !UUID_PATH_PARAMETERS.has(parameter.name)) continue;
        parameter.schema = { type: 'string', format: 'uuid' };
      }
    }
  }
}

/**
 * The validation pipe refuses unknown fields in every body (whitelist,
 * forbidNonWhitelisted): every schema a request body uses, nested ones
 * included, says so with `additionalProperties: false`.
 */
function closeRequestSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<string>();
  const visit = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (schema === undefined) return;
    if ('$ref' in schema) {
      const name = schema.$ref.startsWith(REF) ? schema.$ref.slice(REF.length) : null;
      if (name === null || seen.has(name)) return;
      seen.add(name);
      visit(schemas[name]);
      return;
    }
    if (schema.type === 'object' && schema.properties !== undefined && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
    for (const child of Object.values(schema.properties ?? {})) visit(child);
    if (schema.items !== undefined) visit(schema.items);
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) visit(part);
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      const body = operation?.requestBody;
      if (body === undefined || '$ref' in body) continue;
      for (const media of Object.values(body.content)) visit(media.schema);
    }
  }
}
