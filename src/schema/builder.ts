import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, SafeIntResolver, UUIDResolver } from 'graphql-scalars';
import type { ResolverContext } from '../resolvers/context.js';
import { poolLookupCalls } from '../resolvers/node-pools.js';
import { isCanonicalTimestamp } from '../upstream/timestamps.js';
import { argumentRules, globalId, idList } from './argument-rules.js';
import { listSizes } from './list-sizes.js';
import './mutation-rules-plugin.js';
import { upstreamCalls } from './upstream-calls.js';

/**
 * The Pothos builder: configuration only (plugins, scalars, context type).
 * Plugin order follows the Pothos READMEs: errors before the others.
 * Arguments are checked by the gateway's own rules (./argument-rules.ts),
 * before the operation runs. Loaders are plain DataLoaders created per
 * request in the context (src/loaders/), because list results
 * must prime id lookups across fields.
 */
export const builder = new SchemaBuilder<{
  Context: ResolverContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    UUID: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SafeInt: { Input: number; Output: number };
  };
}>({
  // Federation last, as its README asks (it wraps no resolver of the others); the directives plugin carries
  // its @key and @shareable into the subgraph schema only (./subgraph.ts).
  plugins: [
    ErrorsPlugin,
    'mutationRules',
    RelayPlugin,
    SimpleObjectsPlugin,
    DirectivePlugin,
    FederationPlugin,
  ],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a globally unique id, refetchable with `node(id:)`.' },
    idFieldOptions: { description: 'Globally unique id, for `node(id:)` refetch.' },
    nodeQueryOptions: {
      description: 'Any object by its global id; null when it does not exist.',
      args: { id: { description: 'A global id.' } },
      extensions: { ...argumentRules({ id: globalId }), ...upstreamCalls(1) },
    },
    nodesQueryOptions: {
      description: 'Objects by their global ids, in the same order; null where one does not exist.',
      args: { ids: { description: 'Global ids, at most 500.' } },
      extensions: {
        ...argumentRules({ ids: idList(globalId) }),
        ...listSizes(({ ids }: { ids: readonly unknown[] }) => ({ nodes: ids.length })),
        ...upstreamCalls({ calls: ({ ids }: { ids: readonly unknown[] }) => poolLookupCalls(ids) }),
      },
    },
    // Every Relay subgraph has one: it composes beside theirs.
    pageInfoTypeOptions: {
      description: 'Where a page of a connection sits in the whole list.',
      shareable: true,
    },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page.' },
    cursorFieldOptions: { description: 'Opaque cursor of this item, for `after`/`before`.' },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: { description: 'The items of this page, with their cursors.' },
    pageInfoFieldOptions: { description: 'Paging information.' },
    firstArgOptions: { description: 'Return the first n items after `after` (default 50, at most 500).' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    lastArgOptions: { description: 'Return the last n items before `before` (at most 500).' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
  errors: { defaultTypes: [] },
});

/**
 * graphql-scalars' DateTime, except that a canonical UTC string (what the upstream models
 * produce) is sent as it is: DateTime would parse it into a Date only for JSON to print the
 * same text again, a thousand times for a dashboard's samples.
 */
const DateTime = new GraphQLScalarType<Date | string, Date | string>({
  ...DateTimeResolver.toConfig(),
  serialize: (value) =>
    typeof value === 'string' && isCanonicalTimestamp(value) ? value : DateTimeResolver.serialize(value),
});

builder.addScalarType('DateTime', DateTime);
builder.addScalarType('UUID', UUIDResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
builder.addScalarType('SafeInt', SafeIntResolver);

builder.queryType({ description: 'Reads of node pools and their metrics.' });
