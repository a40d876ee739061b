/** Reading the OpenAPI document: refs, schemas for ajv, and turning ajv's errors into Run:ai's. */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { HttpError } from './errors.js';

/** A JSON value as read from the spec file. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const SPEC_ID = 'runai-nodepools';
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Path of the OpenAPI document, found relative to this module (works from src/ and dist/). */
export const SPEC_URL = new URL('../spec/nodepools-openapi.json', import.meta.url);

/** Reads and parses the OpenAPI document. */
export function readSpecDocument(): JsonObject {
  return JSON.parse(readFileSync(SPEC_URL, 'utf8')) as JsonObject;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-copies a schema, making OpenAPI 3.0 `nullable` + `enum` accept null
 * (ajv checks `enum` separately, so `{enum:['a'], nullable:true}` would reject
 * the null that OpenAPI allows) and pointing local `$ref`s into the spec
 * registered under SPEC_ID.
 */
export function normalize(schema: Json, rewriteRefs: boolean): Json {
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
export function resolvePointer(document: JsonObject, ref: string): JsonObject {
  let node: Json | undefined = document;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (!isObject(node)) throw new Error(`Unresolvable $ref ${ref} in the OpenAPI document`);
  return node;
}

export function deref(document: JsonObject, node: JsonObject): JsonObject {
  let current = node;
  while (typeof current['$ref'] === 'string') current = resolvePointer(document, current['$ref']);
  return current;
}

/** Turns an ajv error into `field must …`, naming the field the way a client wrote it. */
export function describeError(error: ErrorObject, root: string): string {
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

export function toHttpError(errors: ErrorObject[] | null | undefined, root: string, what: string): HttpError {
  // ajv reports each failed branch; keep each message once, in order.
  const messages = [...new Set((errors ?? []).map((error) => describeError(error, root)))];
  const first = messages[0] ?? `${root} is invalid`;
  return new HttpError(400, `Invalid ${what}: ${first}`, messages.join('; '));
}

/** Converts one raw string to the JSON type its schema asks for; throws on impossible strings. */
export function coerceScalar(raw: string, schema: JsonObject, name: string): unknown {
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
