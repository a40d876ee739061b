import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  isRequiredArgument,
} from 'graphql';
import {
  anchorValue,
  type JsonValue,
  type Position,
  positionsOf,
  printValue,
  type Scalars,
  type ValuePath,
  valueArbitrary,
} from './schema-values.js';

export type OperationKind = 'query' | 'mutation' | 'subscription';

/** One step from the root to a nested field: a field with fixed arguments, or a type condition. */
type PathStep =
  | { kind: 'field'; field: GraphQLField<unknown, unknown>; args: Record<string, JsonValue> }
  | { kind: 'fragment'; type: GraphQLObjectType };

/** One argument of one field, and how an operation reaches that field. */
export interface ArgumentSite {
  operation: OperationKind;
  field: GraphQLField<unknown, unknown>;
  argument: GraphQLArgument;
  /** From the root type to the type that holds `field`; empty for root fields. */
  path: PathStep[];
  /** The selection set of the field's result. */
  selection: string;
  label: string;
}

/** A generated case: the argument's value, the other arguments (literals in both forms), where variables go. */
export interface ArgumentCase {
  value: JsonValue;
  others: Record<string, JsonValue>;
  variablePaths: ValuePath[];
}

export interface GraphQLRequest {
  query: string;
  variables: Record<string, JsonValue>;
}

/** How deep generated selections go, counted in object levels below the field. */
const SELECTION_DEPTH = 3;
/** Longest path tried from Query to a nested field. */
const MAX_PATH_STEPS = 5;

/**
 * Every argument of every field of every object type. Root fields are used
 * as they are; nested ones are reached from a Query field (see pathTo).
 */
export function argumentSites(schema: GraphQLSchema): ArgumentSite[] {
  const roots = new Map<GraphQLObjectType | null | undefined, OperationKind>([
    [schema.getQueryType(), 'query'],
    [schema.getMutationType(), 'mutation'],
    [schema.getSubscriptionType(), 'subscription'],
  ]);
  const objects = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
  );
  return objects.flatMap((type) => {
    const fields = Object.values(type.getFields()).filter((f) => f.args.length > 0);
    if (fields.length === 0) return [];
    const operation = roots.get(type);
    const path = operation ? [] : pathTo(schema, type);
    if (!path) throw new Error(`no path from Query to ${type.name}, whose fields take arguments`);
    return fields.flatMap((field) =>
      field.args.map((argument) => ({
        operation: operation ?? 'query',
        field,
        argument,
        path,
        selection: selectionOf(schema, field.type),
        label: `${type.name}.${field.name}(${argument.name}: ${String(argument.type)})`,
      })),
    );
  });
}

/**
 * The cheapest way from Query to `target` (uniform-cost search): a field
 * step costs 1, or 3 when it returns a list (a page of results where one
 * object would do), and a type condition 0.5. Required arguments of the
 * steps get anchor values, which point at seed data.
 */
function pathTo(schema: GraphQLSchema, target: GraphQLObjectType): PathStep[] | undefined {
  const query = schema.getQueryType();
  if (!query) return undefined;
  const frontier: { type: GraphQLNamedType; path: PathStep[]; cost: number }[] = [
    { type: query, path: [], cost: 0 },
  ];
  const settled = new Set<string>();
  while (frontier.length > 0) {
    frontier.sort((a, b) => a.cost - b.cost);
    const next = frontier.shift();
    if (!next || settled.has(next.type.name)) continue;
    if (next.type === target) return next.path;
    settled.add(next.type.name);
    if (next.path.length >= MAX_PATH_STEPS) continue;
    if (isAbstractType(next.type)) {
      for (const type of schema.getPossibleTypes(next.type)) {
        frontier.push({ type, path: [...next.path, { kind: 'fragment', type }], cost: next.cost + 0.5 });
      }
      continue;
    }
    if (!isObjectType(next.type)) continue;
    for (const field of Object.values(next.type.getFields())) {
      const type = getNamedType(field.type);
      if (isLeafType(type)) continue;
      const args = Object.fromEntries(
        field.args.filter(isRequiredArgument).map((a) => [a.name, anchorValue(a.type)]),
      );
      const cost = isListType(getNullableType(field.type)) ? 3 : 1;
      frontier.push({ type, path: [...next.path, { kind: 'field', field, args }], cost: next.cost + cost });
    }
  }
  return undefined;
}

/**
 * A selection of everything `type` offers down to `depth` object levels:
 * `__typename`, leaf fields, object fields, and a fragment per possible type
 * of a union or interface. Fields that need arguments are left out.
 */
export function selectionOf(schema: GraphQLSchema, type: GraphQLOutputType, depth = SELECTION_DEPTH): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isAbstractType(named)) {
    const fragments = schema
      .getPossibleTypes(named)
      .map((member) => `... on ${member.name} ${selectionOf(schema, member, depth)}`);
    return `{ __typename ${fragments.join(' ')} }`;
  }
  const fields = Object.values(named.getFields())
    .filter((f) => !f.args.some(isRequiredArgument))
    .flatMap((f) => {
      if (isLeafType(getNamedType(f.type))) return [f.name];
      return depth > 1 ? [`${f.name} ${selectionOf(schema, f.type, depth - 1)}`] : [];
    });
  return `{ __typename ${fields.join(' ')} }`;
}

/** Wraps the field's text in the path from the root, with `__typename` at each level. */
function wrapInPath(path: PathStep[], inner: string): string {
  return path.reduceRight((text, step) => {
    if (step.kind === 'fragment') return `... on ${step.type.name} { ${text} }`;
    return `${step.field.name}${printArgs(step.field, step.args)} { __typename ${text} }`;
  }, inner);
}

/**
 * An operation that only walks a site's path, and whether an answer reached
 * an object at its end: a path that ends in null would make its cases pass
 * without ever running the field.
 */
export function probeOf(site: ArgumentSite): {
  request: GraphQLRequest;
  reached: (data: unknown) => boolean;
} {
  const names = site.path.flatMap((step) => (step.kind === 'field' ? [step.field.name] : []));
  const reached = (data: unknown) =>
    names.reduce<unknown[]>(
      (level, name) =>
        level.flatMap((parent) => {
          const value = (parent as Record<string, unknown> | null)?.[name];
          return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined);
        }),
      [data],
    ).length > 0;
  return {
    request: { query: `query Probe { ${wrapInPath(site.path, '__typename')} }`, variables: {} },
    reached,
  };
}

function printArgs(
  field: GraphQLField<unknown, unknown>,
  values: Record<string, JsonValue>,
  variableAt?: (argument: GraphQLArgument, position: Position) => string | undefined,
): string {
  const printed = field.args
    .filter((a) => a.name in values)
    .map(
      (a) =>
        `${a.name}: ${printValue(values[a.name] ?? null, a.type, variableAt && ((p) => variableAt(a, p)))}`,
    );
  return printed.length > 0 ? `(${printed.join(', ')})` : '';
}

/**
 * The case twice: every value as a literal, then the same operation with the
 * argument's chosen positions passed as variables (declared with exactly the
 * type of their position).
 */
export function operationsOf(
  site: ArgumentSite,
  c: ArgumentCase,
): { literal: GraphQLRequest; variables: GraphQLRequest } {
  const values = { ...c.others, [site.argument.name]: c.value };
  const build = (variableAt?: (argument: GraphQLArgument, position: Position) => string | undefined) => {
    const field = `${site.field.name}${printArgs(site.field, values, variableAt)} ${site.selection}`;
    return wrapInPath(site.path, field);
  };
  const literal = { query: `${site.operation} Literals { ${build()} }`, variables: {} };

  const declarations: string[] = [];
  const variables: Record<string, JsonValue> = {};
  const text = build((argument, position) => {
    if (argument !== site.argument) return undefined;
    if (!c.variablePaths.some((p) => samePath(p, position.path))) return undefined;
    const name = `v${declarations.length}`;
    declarations.push(`$${name}: ${String(position.type)}`);
    variables[name] = position.value;
    return name;
  });
  const header = declarations.length > 0 ? `(${declarations.join(', ')})` : '';
  return { literal, variables: { query: `${site.operation} Variables${header} { ${text} }`, variables } };
}

const samePath = (a: ValuePath, b: ValuePath) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Which positions of a value become variables: the whole value; one nested
 * field or list item; or every leaf (scalars, enums, nulls, empty lists).
 */
function variablePathsArbitrary(site: ArgumentSite, value: JsonValue): fc.Arbitrary<ValuePath[]> {
  const positions = positionsOf(value, site.argument.type);
  const nested = positions.filter((p) => p.path.length > 0);
  const isParent = (p: Position) =>
    positions.some((q) => q.path.length > p.path.length && samePath(q.path.slice(0, p.path.length), p.path));
  const leaves = positions.filter((p) => !isParent(p)).map((p) => p.path);
  const whole: ValuePath[] = [[]];
  if (nested.length === 0) return fc.constant(whole);
  return fc.oneof(
    fc.constant(whole),
    fc.constantFrom(...nested).map((p) => [p.path]),
    fc.constant(leaves),
  );
}

/** Cases of one argument: its value, the field's other arguments (required ones always), the variables' places. */
export function caseArbitrary(site: ArgumentSite, scalars: Scalars): fc.Arbitrary<ArgumentCase> {
  const others = site.field.args.filter((a) => a !== site.argument);
  // Optional neighbours are left out two times in three, so most cases are about the argument itself.
  const otherArbitraries = Object.fromEntries(
    others.map((a) => [
      a.name,
      isRequiredArgument(a)
        ? valueArbitrary(a.type, scalars)
        : fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, valueArbitrary(a.type, scalars)),
    ]),
  );
  const given = (drawn: Record<string, JsonValue | undefined>) =>
    Object.fromEntries(Object.entries(drawn).filter(([, v]) => v !== undefined)) as Record<string, JsonValue>;
  return fc
    .tuple(valueArbitrary(site.argument.type, scalars), fc.record(otherArbitraries))
    .chain(([value, drawn]) =>
      variablePathsArbitrary(site, value).map((variablePaths) => ({
        value,
        others: given(drawn),
        variablePaths,
      })),
    );
}
