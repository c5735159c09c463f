import { getMetadataStorage } from 'class-validator';
import { DECORATORS } from '@nestjs/swagger';
import { ParleyHarness } from './support/parley-app';

/*
 * The rule every operation follows (docs/decisions/DECISION-0017): success
 * answers with a schema and a content type, error answers with ErrorBody,
 * the security scheme once, no credentials as parameters. A new endpoint
 * that declares less is named here.
 */

type Media = { schema?: { $ref?: string } };
type Response = { description?: string; content?: Record<string, Media> };
type Operation = {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
  'x-parley-empty-body'?: boolean;
  /** A seed's wire surface: its refusals take the seed's shape, not ErrorBody. */
  'x-parley-compat'?: string;
  /** An operation a client library calls that Parley documents only to refuse it (Nexmo's voice recording): no success answer. */
  'x-parley-refused'?: boolean;
};

const ERROR_BODY = '#/components/schemas/ErrorBodyDto';
type Schemas = Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
/**
 * A seed's surface answers errors in that seed's shape; it must still carry
 * Parley's error body (every ErrorBody field, with the same names), so one
 * client reads both.
 */
const carriesErrorBody = (ref: string | undefined, schemas: Schemas): boolean => {
  if (ref === ERROR_BODY) return true;
  const name = ref?.replace('#/components/schemas/', '');
  const schema = name === undefined ? undefined : schemas[name];
  const body = schemas['ErrorBodyDto'];
  return schema !== undefined && body !== undefined && Object.keys(body.properties ?? {}).every((field) => field in (schema.properties ?? {}));
};
/** Status reports answer 503 with themselves (what a load balancer reads), not with ErrorBody. */
const STATUS_REPORTS = new Set(['GET /health', 'GET /health/ready']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

describe('the OpenAPI document (GET /docs-json)', () => {
  let parley: ParleyHarness;
  let operations: { id: string; op: Operation }[];

  beforeAll(async () => {
    parley = await ParleyHarness.start();
    const doc = parley.contract.document as unknown as { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => (item[method] ? [{ id: `${method.toUpperCase()} ${path}`, op: item[method]! }] : [])),
    );
  });

  afterAll(async () => {
    await parley.stop();
  });

  const schemas = () => ((parley.contract.document as unknown as { components?: { schemas?: Schemas } }).components?.schemas ?? {});

  const failing = (check: (op: Operation, id: string) => string | null): string[] =>
    operations.flatMap(({ id, op }) => {
      const problem = check(op, id);
      return problem === null ? [] : [`${id}: ${problem}`];
    });

  it('declares a success answer with a content type and a schema for every operation', () => {
    expect(
      failing((op) => {
        const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
        if (success.length === 0) return op['x-parley-refused'] === true ? null : 'no 2xx response';
        for (const [status, response] of success) {
          const media = Object.entries(response.content ?? {});
          if (media.length === 0 && op['x-parley-empty-body'] !== true) return `${status} has no content (use ApiEmptyResponse for an empty body)`;
          for (const [type, { schema }] of media) if (schema === undefined) return `${status} ${type} has no schema`;
        }
        return null;
      }),
    ).toEqual([]);
  });

  it('declares the error answers of every operation with the one ErrorBody schema', () => {
    expect(
      failing((op, id) => {
        const errors = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status));
        if (errors.length === 0) return 'no error response (use ApiErrors)';
        for (const [status, response] of errors) {
          if (status === '503' && STATUS_REPORTS.has(id)) continue;
          if (op['x-parley-compat'] !== undefined && response.content?.['application/json']?.schema?.$ref !== ERROR_BODY) continue;
          const media = Object.entries(response.content ?? {});
          if (media.length !== 1 || media[0]![0] !== 'application/json' || !carriesErrorBody(media[0]![1].schema?.$ref, schemas())) {
            return `${status} is not application/json ErrorBody`;
          }
        }
        const statuses = new Set(errors.map(([status]) => status));
        if ((op.security?.length ?? 0) > 0 && !statuses.has('401')) return 'secured but no 401';
        if (op.security?.some((s) => 'api-key' in s) && !statuses.has('403')) return 'API-key scoped but no 403';
        if (op.requestBody !== undefined && !['400', '413', '415'].every((s) => statuses.has(s))) return 'a body but not 400, 413 and 415';
        if (op.parameters?.some((p) => p.in !== 'header') && !statuses.has('400')) return 'parameters but no 400';
        return null;
      }),
    ).toEqual([]);
  });

  it('names the security scheme once per operation and takes no credentials as parameters', () => {
    expect(
      failing((op) => {
        if ((op.security?.length ?? 0) > 1) return `security listed ${op.security!.length} times`;
        const credential = op.parameters?.find((p) => ['x-api-key', 'authorization'].includes(p.name.toLowerCase()));
        return credential ? `${credential.name} declared as a parameter` : null;
      }),
    ).toEqual([]);
  });

  it('describes every validated DTO field (the document and the validation come from the same classes)', () => {
    const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<abstract new () => unknown, { propertyName: string; name?: string }[]> };
    const undocumented: string[] = [];
    const wrongInteger: string[] = [];
    for (const [target, metadatas] of storage.validationMetadatas) {
      if (!target.name.endsWith('Dto')) continue;
      for (const meta of metadatas) {
        const property = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, target.prototype as object, meta.propertyName) as
          | { type?: unknown }
          | undefined;
        if (property === undefined) undocumented.push(`${target.name}.${meta.propertyName}`);
        else if (meta.name === 'isInt' && property.type !== 'integer') wrongInteger.push(`${target.name}.${meta.propertyName}`);
      }
    }
    expect({ undocumented: [...new Set(undocumented)], wrongInteger: [...new Set(wrongInteger)] }).toEqual({ undocumented: [], wrongInteger: [] });
  });

  it('counts what it describes', () => {
    const withSchemas = operations.filter(({ op }) =>
      Object.entries(op.responses).some(([s, r]) => /^2/.test(s) && Object.values(r.content ?? {}).some((m) => m.schema)),
    ).length;
    const withErrors = operations.filter(({ op }) => Object.keys(op.responses).some((s) => /^[45]/.test(s))).length;
    process.stdout.write(
      `\n[parley] OpenAPI: ${operations.length} operations, ${withSchemas} with response schemas, ${withErrors} with error responses\n`,
    );
    expect(withErrors).toBe(operations.length);
  });
});
