import fc from 'fast-check';
import {
  type GraphQLInputType,
  type GraphQLNamedInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isRequiredInputField,
} from 'graphql';
import { SEED_CLUSTER_IDS } from 'runai-simulator';

/**
 * Values of GraphQL input types, generated from the schema alone. A value is
 * kept in its JSON form (what `variables` carries); its literal is printed
 * from the same value, so both forms of an operation mean the same input.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Where a value sits inside an argument: input field names and list indexes. */
export type ValuePath = readonly (string | number)[];

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Boundaries of the type and of the gateway's own limits (page sizes 500, samples 1000). */
const EDGE_INTS = [INT32_MIN, INT32_MAX, -1, 0, 1, 2, 20, 499, 500, 501, 999, 1000, 1001];
/** Input objects nested deeper than this only get their required fields (guards recursive types). */
const MAX_INPUT_DEPTH = 4;

const globalId = (type: string, id: number | string) => Buffer.from(`${type}:${id}`).toString('base64');

const int = fc.oneof(
  fc.constantFrom(...EDGE_INTS),
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: -2, max: 1002 }),
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
);

const identifier = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const text = fc.oneof(
  { weight: 3, arbitrary: identifier },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', ' ', 'a', 'a,b', ',', 'é', '日本語 🚀', 'x"y\\z', 'tab\tnew\nline'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 300, maxLength: 2000 }) },
);

/** Raw Run:ai ids around the seed's (1..15) and Relay global ids, of pools and of another type. */
const poolNumber = fc.integer({ min: 0, max: 17 });
const id = fc.oneof(
  { weight: 3, arbitrary: poolNumber.map(String) },
  { weight: 3, arbitrary: poolNumber.map((n) => globalId('NodePool', n)) },
  { weight: 1, arbitrary: poolNumber.map((n) => globalId('LegacyNodePool', n)) },
  { weight: 1, arbitrary: poolNumber }, // an ID given as an Int
  {
    weight: 1,
    arbitrary: fc.constantFrom('-1', '2147483648', '99999999999999999999', globalId('NodePool', 'x')),
  },
  { weight: 1, arbitrary: text },
);

/** Instants around the seed data and the frozen clock, so windows and filters fall before and after both. */
const instant = fc.integer({
  min: Date.parse('2024-06-01T00:00:00Z'),
  max: Date.parse('2026-06-01T00:00:00Z'),
});
const withOffset = (ms: number, minutes: number) => {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};
const dateTime = fc.oneof(
  instant.map((ms) => new Date(ms).toISOString()),
  instant.map((ms) => new Date(ms - (ms % 3_600_000)).toISOString().replace('.000Z', 'Z')),
  fc.tuple(instant, fc.constantFrom(0, 120, 330, -480)).map(([ms, minutes]) => withOffset(ms, minutes)),
);

const seedClusterId = fc.constantFrom(...Object.values(SEED_CLUSTER_IDS));
const uuid = fc.oneof(
  { weight: 3, arbitrary: seedClusterId },
  { weight: 1, arbitrary: seedClusterId.map((u) => u.toUpperCase()) },
  { weight: 1, arbitrary: fc.uuid() },
);

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0));
const jsonLeaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), finiteDouble, text);
/** Keys are GraphQL names, so that every object can be written as a literal too. */
const jsonObject = fc.dictionary(fc.stringMatching(/^[_a-zA-Z][_a-zA-Z0-9]{0,8}$/), jsonLeaf, { maxKeys: 3 });

/** Values of every scalar the schema may use; a scalar missing here fails the test loudly. */
const SCALARS: Record<string, fc.Arbitrary<JsonValue>> = {
  Int: int,
  Float: fc.oneof(fc.constantFrom(0, -1, 0.5, 1e21, 5e-324, Number.MAX_VALUE), finiteDouble),
  String: text,
  Boolean: fc.boolean(),
  ID: id,
  DateTime: dateTime,
  UUID: uuid,
  JSONObject: jsonObject,
  NonEmptyString: text.filter((s) => s.trim() !== ''),
  SafeInt: fc.oneof(
    fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, INT32_MAX + 1, INT32_MIN - 1),
    int,
    fc.maxSafeInteger(),
  ),
};

/** A generator of values per scalar name. */
export type Scalars = Readonly<Record<string, fc.Arbitrary<JsonValue>>>;

/** Values seen in the gateway's answers, by scalar name: names and labels that filters match, valid cursors. */
export type ObservedValues = ReadonlyMap<string, readonly JsonValue[]>;

/** One arbitrary per scalar: the values above, and half the time a value seen in an answer. */
export function scalarArbitraries(observed: ObservedValues): Scalars {
  return Object.fromEntries(
    Object.entries(SCALARS).map(([name, arbitrary]) => {
      const seen = observed.get(name) ?? [];
      return [name, seen.length > 0 ? fc.oneof(arbitrary, fc.constantFrom(...seen)) : arbitrary];
    }),
  );
}

/** Any value of `type`, null included where the type allows it. */
export function valueArbitrary(type: GraphQLInputType, scalars: Scalars, depth = 0): fc.Arbitrary<JsonValue> {
  if (isNonNullType(type)) return nonNullArbitrary(type.ofType, scalars, depth);
  return fc.option(nonNullArbitrary(type, scalars, depth), { nil: null, freq: 6 });
}

function nonNullArbitrary(type: GraphQLInputType, scalars: Scalars, depth: number): fc.Arbitrary<JsonValue> {
  if (isListType(type)) {
    const item = valueArbitrary(type.ofType, scalars, depth);
    const list = fc.array(item, { maxLength: 4 });
    // Input coercion takes a single item where a list is expected; not for lists of lists, where it is ambiguous.
    return isListType(getNamedTypeOrList(type.ofType))
      ? list
      : fc.oneof({ weight: 6, arbitrary: list }, item);
  }
  return namedArbitrary(type as GraphQLNamedInputType, scalars, depth);
}

function getNamedTypeOrList(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

/** Values of one named input type: scalars, enum values, input objects with a random subset of their fields. */
function namedArbitrary(
  type: GraphQLNamedInputType,
  scalars: Scalars,
  depth: number,
): fc.Arbitrary<JsonValue> {
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const kept = depth < MAX_INPUT_DEPTH ? fields : fields.filter(isRequiredInputField);
    const shape = Object.fromEntries(kept.map((f) => [f.name, valueArbitrary(f.type, scalars, depth + 1)]));
    return fc.record(shape, { requiredKeys: fields.filter(isRequiredInputField).map((f) => f.name) });
  }
  const scalar = scalars[type.name];
  if (!scalar)
    throw new Error(`no values for scalar ${type.name}: add an arbitrary to SCALARS in ${import.meta.url}`);
  return scalar;
}

/** Scalar values that lead a path to data: the seed pool 2, the seed's first cluster. */
const ANCHORS: Record<string, JsonValue> = {
  ID: globalId('NodePool', 2),
  UUID: SEED_CLUSTER_IDS.prod,
  DateTime: '2025-01-01T00:00:00Z',
  JSONObject: {},
  Boolean: true,
  String: 'a',
  NonEmptyString: 'a',
  Int: 1,
  Float: 1,
  SafeInt: 1,
};

/** A fixed value of `type` for the arguments of a path (anchors, first enum values, required fields only). */
export function anchorValue(type: GraphQLInputType): JsonValue {
  if (isNonNullType(type)) return anchorValue(type.ofType);
  if (isListType(type)) return [anchorValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]?.name ?? null;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter(isRequiredInputField);
    return Object.fromEntries(required.map((f) => [f.name, anchorValue(f.type)]));
  }
  const anchor = ANCHORS[type.name];
  if (anchor === undefined) throw new Error(`no anchor for scalar ${type.name}: add one to ANCHORS`);
  return anchor;
}

/** Whether `value` at a list type is a real list (not a single item standing for one). */
const isList = (value: JsonValue, type: GraphQLInputType) =>
  isListType(getNamedTypeOrList(type)) && Array.isArray(value);

/** The type of the items (list) or of the named fields (input object) of a value of `type`. */
function childType(type: GraphQLInputType, key: string | number): GraphQLInputType {
  const inner = getNamedTypeOrList(type);
  if (isListType(inner)) return typeof key === 'number' ? inner.ofType : childType(inner.ofType, key);
  const named = getNamedType(inner);
  if (!isInputObjectType(named)) throw new Error(`${String(type)} has no field ${key}`);
  const field = named.getFields()[key as string];
  if (!field) throw new Error(`${named.name} has no field ${key}`);
  return field.type;
}

/** The direct parts of a value: list items, or the given fields of an input object. */
function children(value: JsonValue, type: GraphQLInputType): [string | number, JsonValue][] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return isList(value, type) ? value.map((item, i) => [i, item]) : [];
  return isInputObjectType(getNamedType(type)) ? Object.entries(value) : [];
}

/** One place a variable can stand: the path to it, the type it must be declared with, and its value. */
export interface Position {
  path: ValuePath;
  type: GraphQLInputType;
  value: JsonValue;
}

/** Every position of a value, itself first, then its items and fields, depth first. */
export function positionsOf(value: JsonValue, type: GraphQLInputType, path: ValuePath = []): Position[] {
  const nested = children(value, type).flatMap(([key, child]) =>
    positionsOf(child, childType(type, key), [...path, key]),
  );
  return [{ path, type, value }, ...nested];
}

/**
 * Prints `value` as a GraphQL literal of `type`, except where `variableAt`
 * names a variable for a position: that position is printed as `$name`.
 */
export function printValue(
  value: JsonValue,
  type: GraphQLInputType,
  variableAt: (position: Position) => string | undefined = () => undefined,
  path: ValuePath = [],
): string {
  const variable = variableAt({ path, type, value });
  if (variable !== undefined) return `$${variable}`;
  if (value === null) return 'null';
  const named = getNamedType(type);
  const parts = children(value, type).map(([key, child]) => {
    const printed = printValue(child, childType(type, key), variableAt, [...path, key]);
    return typeof key === 'number' ? printed : `${key}: ${printed}`;
  });
  if (isList(value, type)) return `[${parts.join(', ')}]`;
  if (isInputObjectType(named)) return `{ ${parts.join(', ')} }`;
  if (isEnumType(named)) return String(value);
  return printJsonLiteral(value);
}

/** A scalar's JSON value as a literal; objects (JSONObject) become object literals. */
function printJsonLiteral(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(printJsonLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${printJsonLiteral(v)}`)
      .join(', ')} }`;
  }
  // JSON's string escapes are all valid in GraphQL strings; numbers print as GraphQL Int/Float tokens.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** How much there is to vary in a type: its leaves, plus one per list and per input object, each type once. */
export function inputBreadth(type: GraphQLInputType, seen = new Set<string>()): number {
  if (isNonNullType(type)) return inputBreadth(type.ofType, seen);
  if (isListType(type)) return 1 + inputBreadth(type.ofType, seen);
  if (!isInputObjectType(type)) return 1;
  if (seen.has(type.name)) return 0;
  seen.add(type.name);
  return 1 + Object.values(type.getFields()).reduce((sum, f) => sum + inputBreadth(f.type, seen), 0);
}
