import { readFileSync } from 'node:fs';
import { plugin as printSchemaAst } from '@graphql-codegen/schema-ast';
import {
  buildSchema,
  type GraphQLNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
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

  it('matches its snapshot', () => {
    expect(printSchema(schema)).toMatchSnapshot();
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
});
