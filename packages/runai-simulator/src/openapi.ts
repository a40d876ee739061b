import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HttpError } from './errors.js';
import {
  coerceScalar,
  deref,
  HTTP_METHODS,
  isObject,
  type JsonObject,
  normalize,
  readSpecDocument,
  SPEC_ID,
  toHttpError,
} from './openapi-document.js';

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
