/**
 * The gateway as an Apollo Federation 2 subgraph: the same Pothos schema,
 * with NodePool as an entity (./federation.ts), `_entities` and
 * `_service { sdl }`, served on `/subgraph` through the same pipeline as
 * `/graphql` (every limit, the rate limit, credentials, the error contract).
 * `_entities` gets the rules every other field has: at most 500
 * representations, and its Run:ai calls predicted like `nodes(ids:)`'s.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { specifiedDirectives } from 'graphql';
import { z } from 'zod';
import { LIMITS } from '../domain/limits.js';
import type { ResolverContext } from '../resolvers/context.js';
import { type PoolReference, referenceCalls, serviceSdl } from '../resolvers/federation.js';
import { poolLookupCalls } from '../resolvers/node-pools.js';
import { argumentRules } from './argument-rules.js';
import { builder } from './builder.js';
import './index.js';
import './federation.js';
import { listSizes } from './list-sizes.js';
import { servedToRouter } from './served-to-router.js';
import { upstreamCalls } from './upstream-calls.js';

/** What a router sends for each reference: its `__typename` and the fields of one key. */
const representation = z.union([
  z.object({ __typename: z.literal('NodePool'), id: z.string().max(200) }).passthrough(),
  z
    .object({
      __typename: z.literal('NodePool'),
      clusterId: z.string().max(36),
      name: z.string().max(LIMITS.name),
    })
    .passthrough(),
]);

const entitiesRules = {
  ...argumentRules({
    representations: z.array(representation).max(LIMITS.ids, `must hold at most ${LIMITS.ids} references`),
  }),
  ...listSizes(({ representations }: { representations: readonly PoolReference[] }) => ({
    _entities: representations.length,
  })),
  ...upstreamCalls({
    calls: ({ representations }: { representations: readonly PoolReference[] }) =>
      referenceCalls(representations, poolLookupCalls),
  }),
};

/** The Federation 2 version whose directives the subgraph imports. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

export const subgraphSchema = mapSchema(
  builder.toSubGraphSchema({
    linkUrl: FEDERATION_LINK,
    federationDirectives: ['@key', '@shareable'],
    sortSchema: false,
    // @defer and @stream are the router's to serve in a supergraph: the subgraph declares neither.
    directives: [...specifiedDirectives],
  }),
  {
    [MapperKind.QUERY_ROOT_FIELD]: (field, name) => {
      if (name === '_entities') return { ...field, extensions: { ...field.extensions, ...entitiesRules } };
      if (name !== '_service') return field;
      const { resolve } = field;
      return {
        ...field,
        // At most one call: when no verdict says Run:ai accepted the token lately, Run:ai is asked.
        extensions: { ...field.extensions, ...upstreamCalls(1), ...servedToRouter() },
        resolve: (root, args, ctx: ResolverContext, info) =>
          serviceSdl(ctx, () => resolve?.(root, args, ctx, info)),
      };
    },
  },
);
