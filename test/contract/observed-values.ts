import {
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
  isRequiredArgument,
} from 'graphql';
import { selectionOf } from './schema-operations.js';
import { anchorValue, type JsonValue, printValue } from './schema-values.js';

/**
 * One read of every root query field, with anchor values for its required
 * arguments and the same generated selection as the cases: what the seed
 * data looks like through the gateway.
 */
export function harvestQueries(schema: GraphQLSchema): string[] {
  const query = schema.getQueryType();
  if (!query) return [];
  return Object.values(query.getFields()).map((field) => {
    const args = field.args
      .filter(isRequiredArgument)
      .map((a) => `${a.name}: ${printValue(anchorValue(a.type), a.type)}`);
    const printedArgs = args.length > 0 ? `(${args.join(', ')})` : '';
    return `query Harvest { ${field.name}${printedArgs} ${selectionOf(schema, field.type)} }`;
  });
}

/** Adds every leaf value of `data` to `into`, under the name of its scalar or enum type. */
export function collectLeaves(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  data: unknown,
  into: Map<string, JsonValue[]>,
): void {
  if (data === null || data === undefined) return;
  if (Array.isArray(data)) {
    for (const item of data) collectLeaves(schema, type, item, into);
    return;
  }
  const named = getNamedType(type);
  if (isLeafType(named)) {
    const seen = into.get(named.name) ?? [];
    if (!seen.includes(data as JsonValue)) seen.push(data as JsonValue);
    into.set(named.name, seen);
    return;
  }
  const record = data as Record<string, unknown>;
  const concrete = isAbstractType(named) ? schema.getType(String(record['__typename'])) : named;
  if (!isObjectType(concrete)) return;
  for (const [key, value] of Object.entries(record)) {
    const field = concrete.getFields()[key];
    if (field) collectLeaves(schema, field.type, value, into);
  }
}
