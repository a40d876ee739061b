import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

const SPEC_PATH = new URL('../../spec/nodepools-openapi.json', import.meta.url);

function pointerPart(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Validates response bodies against the OpenAPI document, independently of
 * the simulator's own validation code: the whole document is registered with
 * ajv and each response schema is addressed by JSON pointer.
 */
export class ResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly document: Json;
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor() {
    this.document = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.document, 'spec');
  }

  /** Finds the operation (method + path template) with this operationId. */
  private operationPointer(operationId: string): { pointer: string; operation: Json } {
    const paths = this.document['paths'] as Record<string, Record<string, Json>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation['operationId'] === operationId) {
          return { pointer: `#/paths/${pointerPart(template)}/${method}`, operation };
        }
      }
    }
    throw new Error(`unknown operationId ${operationId}`);
  }

  /** The compiled schema for (operation, status, application/json), or null when the spec gives no body schema. */
  private validatorFor(operationId: string, status: number): ValidateFunction | null {
    const key = `${operationId} ${status}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { pointer, operation } = this.operationPointer(operationId);
    const responses = operation['responses'] as Record<string, Json>;
    const statusKey =
      String(status) in responses ? String(status) : 'default' in responses ? 'default' : null;
    if (statusKey === null) {
      // Statuses Run:ai sends beyond the spec (409 on create, 401 on legacy calls) carry the common Error body.
      if (status < 400) throw new Error(`${operationId} documents no response ${status}`);
      const validate = this.ajv.compile({ $ref: 'spec#/components/schemas/Error' });
      this.cache.set(key, validate);
      return validate;
    }
    let responsePointer = `${pointer}/responses/${statusKey}`;
    let response = responses[statusKey] as Json;
    if (typeof response['$ref'] === 'string') {
      responsePointer = response['$ref'];
      const name = responsePointer.split('/').at(-1) as string;
      response = (this.document['components'] as Record<string, Record<string, Json>>)['responses']?.[
        name
      ] as Json;
    }
    const content = response['content'] as Record<string, Json> | undefined;
    const validate =
      content?.['application/json']?.['schema'] !== undefined
        ? this.ajv.compile({ $ref: `spec${responsePointer}/content/application~1json/schema` })
        : null;
    this.cache.set(key, validate);
    return validate;
  }

  /** Errors of a response body for an operation and status; [] when it conforms. */
  errors(operationId: string, status: number, body: unknown): string[] {
    const validate = this.validatorFor(operationId, status);
    if (validate === null || validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
  }
}
