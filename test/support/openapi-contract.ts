import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { XMLValidator } from 'fast-xml-parser';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

/*
 * Every response the e2e suite receives is checked against the OpenAPI
 * document Parley serves at /docs-json: the status must be declared for the
 * operation, the content type must be one it declares, and the body must
 * match its schema, objects closed (a field the document does not name is a
 * failure: that is how a view and its response DTO are kept together).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly params: number;
  readonly responses: { [status: string]: { content?: { [mediaType: string]: { schema?: Schema } } } };
}

export interface CheckedResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
  readonly text?: string;
}

const UNDOCUMENTED = new Set(['/docs', '/docs-json', '/docs-yaml']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const COMPONENTS = '#/components/schemas/';

let validated = 0;

/** OpenAPI 3.0 to the JSON Schema Ajv validates: `nullable` as a null branch, objects closed, refs into the shared components. */
function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENTS)) out[key] = `parley${value}`;
    else if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, toJsonSchema(child)]));
    } else out[key] = toJsonSchema(value);
  }
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return schema['nullable'] === true ? { anyOf: [out, { type: 'null' }] } : out;
}

const escapeRegExp = (text: string) => text.replace(/[.+?^$()|[\]\\]/g, '\\$&');

export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly operations: readonly Operation[];
  private readonly paths: readonly { readonly pattern: RegExp; readonly methods: readonly string[] }[];

  constructor(readonly document: { paths: Record<string, Record<string, unknown>>; components?: { schemas?: Schema } }) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'parley', components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
    const operations: Operation[] = [];
    const paths: { pattern: RegExp; methods: string[] }[] = [];
    for (const [template, item] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${escapeRegExp(template).replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const methods = METHODS.filter((method) => item[method] !== undefined);
      paths.push({ pattern, methods });
      for (const method of methods) {
        const operation = item[method] as { responses?: Operation['responses'] };
        operations.push({ method, template, pattern, params: (template.match(/\{/g) ?? []).length, responses: operation.responses ?? {} });
      }
    }
    this.operations = operations.sort((a, b) => a.params - b.params);
    this.paths = paths;
  }

  /** What is wrong with this response by the document; an empty list when nothing is. */
  problems(method: string, url: string, res: CheckedResponse): string[] {
    // A surface that takes its seed's trailing slashes (Trillian) is documented without them.
    const path = decodeURI(new URL(url, 'http://parley.invalid').pathname).replace(/(.)\/+$/, '$1');
    if (UNDOCUMENTED.has(path) || path.startsWith('/docs/')) return [];
    validated++;
    const verb = method.toLowerCase();
    const where = `${method.toUpperCase()} ${path} answered ${res.status}`;
    const operation = this.operations.find((op) => op.method === verb && op.pattern.test(path));
    if (operation === undefined) {
      const known = this.paths.filter((p) => p.pattern.test(path));
      if (known.length === 0) return res.status === 404 ? this.errorBody(where, res) : [`${where}: the document has no such path`];
      if (res.status !== 405) return [`${where}: the document has no ${method.toUpperCase()} on this path, so 405 was expected`];
      const allow = String(res.headers['allow'] ?? '');
      const missing = known.flatMap((p) => p.methods).filter((m) => !allow.split(/,\s*/).includes(m.toUpperCase()));
      return [...(missing.length > 0 ? [`${where}: Allow "${allow}" lacks ${missing.join(', ')}`] : []), ...this.errorBody(where, res)];
    }
    const id = `${verb} ${operation.template}`;
    const response = operation.responses[String(res.status)] ?? operation.responses['default'];
    if (response === undefined) {
      return [`${where}: ${id} declares no ${res.status} response (it declares ${Object.keys(operation.responses).join(', ')})`];
    }
    // A HEAD answer has headers only (RFC 9110 9.3.2): its status is checked, there is no body to.
    if (verb === 'head') return [];
    const contentType = String(res.headers['content-type'] ?? '').split(';', 1)[0]!.trim();
    const declared = response.content ?? {};
    if (Object.keys(declared).length === 0) {
      const text = typeof res.body === 'string' ? res.body : (res.text ?? '');
      return text === '' ? [] : [`${where}: ${id} declares no body for ${res.status}, but one came (${contentType})`];
    }
    // A download declares a media range (`*/*`, `image/*`) and binary bytes: the type must fall in the range, the bytes are not checked.
    const media = declared[contentType] ?? declared[`${contentType.split('/', 1)[0]}/*`] ?? declared['*/*'];
    if (media?.schema?.['format'] === 'binary') return [];
    if (media === undefined) {
      return [`${where}: content type "${contentType}" is not one ${id} declares for ${res.status} (${Object.keys(declared).join(', ')})`];
    }
    if (media.schema === undefined) return [`${where}: ${id} declares ${contentType} for ${res.status} without a schema`];
    const validate = this.validator(`${id} ${res.status} ${contentType}`, media.schema);
    const text = typeof res.body === 'string' ? res.body : res.text;
    if (contentType === 'application/x-ndjson') {
      if (text === undefined) return [];
      return text
        .split('\n')
        .filter((line) => line !== '')
        .flatMap((line, index) => this.check(validate, JSON.parse(line), `${where}, line ${index + 1}`));
    }
    // XML (the compat surfaces that speak it): declared for this status, and well-formed.
    if (contentType.endsWith('/xml')) {
      const verdict = XMLValidator.validate(text ?? '');
      return verdict === true ? [] : [`${where}: the body is not well-formed XML: ${verdict.err.msg} (line ${verdict.err.line})`];
    }
    if (contentType === 'text/event-stream' || contentType.startsWith('text/')) {
      return this.check(validate, text ?? '', where);
    }
    const body = typeof res.body === 'string' && contentType.endsWith('json') ? (JSON.parse(res.body) as unknown) : res.body;
    return this.check(validate, body, where);
  }

  private errorBody(where: string, res: CheckedResponse): string[] {
    return this.check(this.validator('ErrorBody', { $ref: `${COMPONENTS}ErrorBodyDto` }), res.body, where);
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private check(validate: ValidateFunction, body: unknown, where: string): string[] {
    if (validate(body)) return [];
    const errors = (validate.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : ''}`);
    const first = validate.errors?.[0]?.instancePath ?? '';
    const at = first.split('/').slice(1).reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], body);
    return [`${where}: the body does not match the document: ${errors.join('; ')}; at ${first || '(body)'}: ${JSON.stringify(at)?.slice(0, 600)}`];
  }
}

const contracts = new Map<string, OpenApiContract>();

/** The contract of a running Parley (its /docs-json), compiled once per test process for each distinct document. */
export async function loadContract(target: Parameters<typeof request>[0]): Promise<OpenApiContract> {
  const res = await request(target).get('/docs-json').expect(200);
  const key = res.text;
  let contract = contracts.get(key);
  if (contract === undefined) {
    contract = new OpenApiContract(res.body as OpenApiContract['document']);
    contracts.set(key, contract);
  }
  return contract;
}

type Agent = ReturnType<typeof request>;
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'del']);

/** A supertest agent whose every response is also checked against the contract (a failure fails the request's test). */
export function contractChecked(agent: Agent, contract: OpenApiContract): Agent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !VERBS.has(property) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (url: string, ...rest: unknown[]) => request.Test).call(target, url, ...rest);
        const method = property === 'del' ? 'delete' : property;
        return test.expect((res: request.Response) => {
          const problems = contract.problems(method, url, {
            status: res.status,
            headers: res.headers as CheckedResponse['headers'],
            body: res.body,
            text: res.text,
          });
          if (problems.length > 0) throw new Error(`OpenAPI contract:\n${problems.join('\n')}`);
        });
      };
    },
  });
}

/** How many responses this test file checked; the run's total is printed once by test/global-teardown.ts. */
export const validatedResponses = (): number => validated;

if (typeof afterAll === 'function') {
  afterAll(() => {
    const dir = process.env['PARLEY_CONTRACT_DIR'];
    if (dir !== undefined && validated > 0) appendFileSync(join(dir, `worker-${process.pid}.log`), `${validated}\n`);
    validated = 0;
  });
}
