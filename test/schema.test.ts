import { readFileSync } from 'node:fs';
import { plugin as printSchemaAst } from '@graphql-codegen/schema-ast';
import {
  buildSchema,
  type GraphQLNamedType,
  type GraphQLScalarType,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { ARGUMENT_RULES, RULES_IN_RESOLVER } from '../src/schema/argument-rules.js';
import { schema } from '../src/schema/index.js';

describe('schema', () => {
  it('matches the committed schema.graphql (run `npm run codegen` after changing the schema)', async () => {
    // The same path as codegen.ts: the printed SDL, loaded again and printed by the schema-ast plugin.
    const printed = await printSchemaAst(lexicographicSortSchema(buildSchema(printSchema(schema))), [], {
      includeDirectives: true,
    });
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printed);
  });

  it('serializes DateTime like graphql-scalars, passing canonical UTC strings through as they are', () => {
    const dateTime = schema.getType('DateTime') as GraphQLScalarType;
    const canonical = '2025-02-10T12:09:18.211Z';
    expect(dateTime.serialize(canonical)).toBe(canonical);
    const printed = (value: unknown) => JSON.parse(JSON.stringify(dateTime.serialize(value)));
    expect(printed('2025-02-10T13:09:18.211+01:00')).toBe(canonical);
    expect(printed(new Date(canonical))).toBe(canonical);
    expect(() => dateTime.serialize('2025-02-30T12:00:00.000Z')).toThrow(/DateTime/);
    expect(() => dateTime.serialize('soon')).toThrow(/DateTime/);
  });

  it('documents every type, field and argument', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('marks the deprecated Run:ai fields as deprecated', () => {
    const nodePool = schema.getType('NodePool');
    const query = schema.getQueryType();
    expect(isObjectType(nodePool) && nodePool.getFields().overProvisioningRatio?.deprecationReason).toMatch(
      /gpuResourceOptimization/,
    );
    expect(query?.getFields().legacyNodePools?.deprecationReason).toMatch(/nodePools/);
  });

  it('declares argument rules on every field with arguments, naming exactly its arguments', () => {
    const mismatched: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.args.length === 0) continue;
        const rules = field.extensions?.[ARGUMENT_RULES] as { shape?: Record<string, unknown> } | undefined;
        const named = Object.keys(rules?.shape ?? {}).sort();
        const args = field.args.map((arg) => arg.name).sort();
        if (named.join() !== args.join())
          mismatched.push(`${type.name}.${field.name}: [${named}] vs [${args}]`);
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('makes every root mutation report its refused input as its ValidationError result, with no wrapper to remember', () => {
    const uncovered: string[] = [];
    for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
      const result = getNamedType(field.type);
      const reportsValidation =
        isUnionType(result) && result.getTypes().some((t) => t.name === 'ValidationError');
      if (
        !field.extensions?.[RULES_IN_RESOLVER] ||
        !field.extensions?.[ARGUMENT_RULES] ||
        !reportsValidation
      ) {
        uncovered.push(field.name);
      }
    }
    expect(uncovered).toEqual([]);
  });
});
