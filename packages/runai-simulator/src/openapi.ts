import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HttpError } from './errors.js';

/** A JSON value as read from the spec file. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One parameter of an operation, with its `$ref`s resolved for coercion. */
interface ParameterSpec {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  /** The schema with `$ref`s rewritten to point into the ajv-registered spec. */
  schema: JsonObject;
  /** The same schema with the top-level and `items` `$ref` followed, to know what to coerce to. */
  resolved: JsonObject;
}

/** One operation of the spec, ready to route and validate. */
export interface OperationSpec {
  operationId: string;
  method: string;
  pathTemplate: string;
  segments: readonly string[];
  parameters: readonly ParameterSpec[];
  validateParameters: ValidateFunction;
  body: { required: boolean; validate: ValidateFunction } | null;
}

/** The result of routing a request: an operation, a 405, or nothing (404). */
export type RouteResult =
  | { kind: 'found'; operation: OperationSpec; pathParams: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/** Parameters and body of a request after validation, coerced to their schema types. */
export interface ValidatedRequest {
  params: Record<string, unknown>;
  body: unknown;
}

/** The spec, routes and compiled validators; built once per simulator. */
export interface OpenApiRegistry {
  readonly document: JsonObject;
  route(method: string, path: string): RouteResult;
  /** Validates raw path/query strings and the parsed body; throws HttpError(400) on a violation. */
  validate(
    operation: OperationSpec,
    pathParams: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): ValidatedRequest;
  /** The default value the spec gives a parameter of an operation, if any. */
  parameterDefault(operation: OperationSpec, name: string): unknown;
}

const SPEC_ID = 'runai-nodepools';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Path of the OpenAPI document, found relative to this module (works from src/ and dist/). */
export const SPEC_URL = new URL('../spec/nodepools-openapi.json', import.meta.url);

/** Reads and parses the OpenAPI document. */
export function readSpecDocument(): JsonObject {
  return JSON.parse(readFileSync(SPEC_URL, 'utf8')) as JsonObject;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-copies a schema, making OpenAPI 3.0 `nullable` + `enum` accept null
 * (ajv checks `enum` separately, so `{enum:['a'], nullable:true}` would reject
 * the null that OpenAPI allows) and pointing local `$ref`s into the spec
 * registered under SPEC_ID.
 */
function normalize(schema: Json, rewriteRefs: boolean): Json {
  if (Array.isArray(schema)) return schema.map((item) => normalize(item, rewriteRefs));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && rewriteRefs && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = `${SPEC_ID}${value}`;
    } else {
      out[key] = normalize(value, rewriteRefs);
    }
  }
  if (out['nullable'] === true && Array.isArray(out['enum']) && !out['enum'].includes(null)) {
    out['enum'] = [...out['enum'], null];
  }
  return out;
}

/** Follows a local `#/a/b` reference inside the document. */
function resolvePointer(document: JsonObject, ref: string): JsonObject {
  let node: Json | undefined = document;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (!isObject(node)) throw new Error(`Unresolvable $ref ${ref} in the OpenAPI document`);
  return node;
}

function deref(document: JsonObject, node: JsonObject): JsonObject {
  let current = node;
  while (typeof current['$ref'] === 'string') current = resolvePointer(document, current['$ref']);
  return current;
}

/** Turns an ajv error into `field must …`, naming the field the way a client wrote it. */
function describeError(error: ErrorObject, root: string): string {
  const parts = error.instancePath.split('/').filter((part) => part !== '');
  let field = '';
  for (const part of parts) field += /^\d+$/.test(part) ? `[${part}]` : field === '' ? part : `.${part}`;
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    return `${field || root} must not have property '${extra}'`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    const value = typeof error.data === 'string' ? ` ('${error.data}')` : '';
    return `${field || root}${value} must be one of ${allowed.filter((v) => v !== null).join(', ')}`;
  }
  const quoted =
    (error.keyword === 'pattern' || error.keyword === 'format') && typeof error.data === 'string'
      ? ` ('${error.data}')`
      : '';
  return `${field || root}${quoted} ${error.message ?? 'is invalid'}`;
}

function toHttpError(errors: ErrorObject[] | null | undefined, root: string, what: string): HttpError {
  // ajv reports each failed branch; keep each message once, in order.
  const messages = [...new Set((errors ?? []).map((error) => describeError(error, root)))];
  const first = messages[0] ?? `${root} is invalid`;
  return new HttpError(400, `Invalid ${what}: ${first}`, messages.join('; '));
}

/** Converts one raw string to the JSON type its schema asks for; throws on impossible strings. */
function coerceScalar(raw: string, schema: JsonObject, name: string): unknown {
  switch (schema['type']) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(raw)) throw new HttpError(400, `Invalid parameter: ${name} must be integer`);
      return Number(raw);
    case 'number':
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) {
        throw new HttpError(400, `Invalid parameter: ${name} must be number`);
      }
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        throw new HttpError(400, `Invalid parameter: ${name} must be boolean`);
      return raw === 'true';
    default:
      return raw;
  }
}

/**
 * Builds routes and ajv validators for every operation of the OpenAPI
 * document. Everything the spec states (types, formats, patterns, enums,
 * bounds, required fields) is enforced from the document itself.
 */
export function createOpenApiRegistry(document: JsonObject = readSpecDocument()): OpenApiRegistry {
  // verbose: errors carry the offending value, so messages can quote it.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  addFormats.default(ajv);
  const components = isObject(document['components']) ? document['components'] : {};
  ajv.addSchema({ $id: SPEC_ID, components: normalize(components, false) } as JsonObject);

  const operations: OperationSpec[] = [];
  const paths = isObject(document['paths']) ? document['paths'] : {};
  for (const [pathTemplate, pathItem] of Object.entries(paths)) {
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      operations.push(buildOperation(method, pathTemplate, pathItem, operation));
    }
  }
  // Templates with more literal segments win (`/node-pools/count` before `/node-pools/{id}`).
  const literalCount = (op: OperationSpec) => op.segments.filter((s) => !s.startsWith('{')).length;
  operations.sort((a, b) => literalCount(b) - literalCount(a));

  function buildOperation(
    method: string,
    pathTemplate: string,
    pathItem: JsonObject,
    operation: JsonObject,
  ): OperationSpec {
    const rawParameters = [
      ...(Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []),
      ...(Array.isArray(operation['parameters']) ? operation['parameters'] : []),
    ];
    const parameters: ParameterSpec[] = [];
    for (const raw of rawParameters) {
      if (!isObject(raw)) continue;
      const parameter = deref(document, raw);
      const where = parameter['in'];
      if ((where !== 'path' && where !== 'query') || typeof parameter['name'] !== 'string') continue;
      const schema = isObject(parameter['schema']) ? parameter['schema'] : {};
      const resolved = { ...deref(document, schema) };
      if (isObject(resolved['items'])) resolved['items'] = deref(document, resolved['items']);
      parameters.push({
        name: parameter['name'],
        in: where,
        required: parameter['required'] === true || where === 'path',
        schema: normalize(schema, true) as JsonObject,
        resolved,
      });
    }
    const validateParameters = ajv.compile({
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
      required: parameters.filter((p) => p.required).map((p) => p.name),
    });
    let body: OperationSpec['body'] = null;
    const requestBody = isObject(operation['requestBody']) ? deref(document, operation['requestBody']) : null;
    const content = requestBody && isObject(requestBody['content']) ? requestBody['content'] : null;
    const json = content && isObject(content['application/json']) ? content['application/json'] : null;
    if (requestBody && json) {
      const schema = isObject(json['schema']) ? json['schema'] : {};
      body = {
        required: requestBody['required'] === true,
        validate: ajv.compile(normalize(schema, true) as JsonObject),
      };
    }
    return {
      operationId:
        typeof operation['operationId'] === 'string' ? operation['operationId'] : `${method} ${pathTemplate}`,
      method: method.toUpperCase(),
      pathTemplate,
      segments: pathTemplate.split('/').filter((s) => s !== ''),
      parameters,
      validateParameters,
      body,
    };
  }

  function matchTemplate(
    segments: readonly string[],
    parts: readonly string[],
  ): Record<string, string> | null {
    if (segments.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      const part = parts[i] as string;
      if (segment.startsWith('{') && segment.endsWith('}')) {
        if (part === '') return null;
        params[segment.slice(1, -1)] = part;
      } else if (segment !== part) {
        return null;
      }
    }
    return params;
  }

  return {
    document,
    route(method, path) {
      let parts: string[];
      try {
        parts = path.split('/').slice(1).map(decodeURIComponent);
      } catch {
        return { kind: 'not-found' };
      }
      const allow: string[] = [];
      let matchedTemplate: string | null = null;
      for (const operation of operations) {
        // Once one template matched, only its siblings (same template) count for 405.
        if (matchedTemplate !== null && operation.pathTemplate !== matchedTemplate) continue;
        const params = matchTemplate(operation.segments, parts);
        if (params === null) continue;
        matchedTemplate = operation.pathTemplate;
        if (operation.method === method.toUpperCase())
          return { kind: 'found', operation, pathParams: params };
        allow.push(operation.method);
      }
      return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
    },
    validate(operation, pathParams, query, body) {
      const params: Record<string, unknown> = {};
      for (const parameter of operation.parameters) {
        let raw: string | undefined;
        if (parameter.in === 'path') {
          raw = pathParams[parameter.name];
        } else {
          const values = query.getAll(parameter.name);
          // explode:false arrays come as one comma-joined value; repeated keys are joined too.
          raw =
            values.length === 0
              ? undefined
              : parameter.resolved['type'] === 'array'
                ? values.join(',')
                : values.at(-1);
        }
        if (raw === undefined) continue;
        if (parameter.resolved['type'] === 'array') {
          const items = isObject(parameter.resolved['items']) ? parameter.resolved['items'] : {};
          params[parameter.name] =
            raw === '' ? [] : raw.split(',').map((item) => coerceScalar(item, items, parameter.name));
        } else {
          params[parameter.name] = coerceScalar(raw, parameter.resolved, parameter.name);
        }
      }
      if (!operation.validateParameters(params)) {
        throw toHttpError(operation.validateParameters.errors, 'parameters', 'parameter');
      }
      if (operation.body) {
        if (body === undefined) {
          if (operation.body.required)
            throw new HttpError(400, 'Invalid request body: a JSON body is required');
        } else if (!operation.body.validate(body)) {
          throw toHttpError(operation.body.validate.errors, 'body', 'request body');
        }
      }
      return { params, body };
    },
    parameterDefault(operation, name) {
      return operation.parameters.find((p) => p.name === name)?.resolved['default'] ?? undefined;
    },
  };
}

/**
 * The registry every simulator of this process shares. Compiling the ajv
 * validators takes ~150 ms, so it is done once per process; the registry is
 * immutable after creation, so sharing it shares no simulator state.
 */
let sharedRegistry: OpenApiRegistry | undefined;

/** The process-wide registry built from spec/nodepools-openapi.json, compiled on first use. */
export function sharedOpenApiRegistry(): OpenApiRegistry {
  sharedRegistry ??= createOpenApiRegistry();
  return sharedRegistry;
}
