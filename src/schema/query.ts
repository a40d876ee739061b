import { responsePathAsArray } from 'graphql';
import { z } from 'zod';
import { LEGACY_DEFAULT_FIRST, LEGACY_MAX_FIRST, listLegacyNodePools } from '../resolvers/legacy.js';
import {
  countNodePools,
  DEFAULT_PAGE_SIZE,
  getNodePool,
  listNodePools,
  type NodePoolConnectionArgs,
  nodePoolsCalls,
} from '../resolvers/node-pools.js';
import { argumentRules, cursor, nodePoolFilter, nodePoolId, pageSize, typed } from './argument-rules.js';
import { builder } from './builder.js';
import { NodePoolFilter, NodePoolOrder } from './inputs.js';
import { LegacyNodePoolRef } from './legacy-node-pool.js';
import { listSizes } from './list-sizes.js';
import { NodePoolRef } from './node-pool.js';
import { upstreamCalls } from './upstream-calls.js';

builder.queryFields((t) => ({
  nodePool: t.field({
    type: NodePoolRef,
    nullable: true,
    description:
      'One node pool by its Relay global id or its raw Run:ai id (e.g. `"5"`); null when not found.',
    args: { id: t.arg.id({ required: true, description: 'A NodePool global id, or the raw Run:ai id.' }) },
    extensions: { ...argumentRules({ id: nodePoolId }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => getNodePool(String(args.id), ctx),
  }),
  nodePools: t.connection(
    {
      type: NodePoolRef,
      nullable: true,
      description:
        'Node pools visible to the caller, a page at a time (offset cursors). `first` defaults to 50, at most 500. `totalCount` is fetched only when selected, in parallel with the page.',
      args: {
        filter: t.arg({
          type: NodePoolFilter,
          description: 'Which pools to return (all conditions must hold).',
        }),
        orderBy: t.arg({ type: NodePoolOrder, description: 'Sort order; Run:ai id order by default.' }),
      },
      extensions: {
        ...argumentRules(
          {
            first: pageSize,
            after: cursor,
            last: pageSize,
            before: cursor,
            filter: nodePoolFilter,
            orderBy: typed,
          },
          (rules) =>
            rules.refine((args) => args['first'] == null || args['last'] == null, {
              message: 'cannot be combined with first',
              path: ['last'],
            }),
        ),
        ...listSizes(({ first, last }: NodePoolConnectionArgs) => ({
          edges: first ?? last ?? DEFAULT_PAGE_SIZE,
        })),
        ...upstreamCalls({ calls: nodePoolsCalls }),
      },
      resolve: (_root, args, ctx) => listNodePools(args, ctx),
    },
    {
      name: 'NodePoolConnection',
      description: 'A page of node pools.',
      fields: (c) => ({
        totalCount: c.field({
          type: 'SafeInt',
          description:
            'How many pools match the filter in all (one extra Run:ai call, made only when selected).',
          resolve: (connection) => (connection as unknown as { totalCount: Promise<number> }).totalCount,
        }),
      }),
    },
    { name: 'NodePoolEdge', description: 'A node pool and its cursor.' },
  ),
  nodePoolCount: t.field({
    type: 'SafeInt',
    nullable: true,
    description: 'How many node pools match the filter.',
    args: { filter: t.arg({ type: NodePoolFilter, description: 'Which pools to count.' }) },
    extensions: { ...argumentRules({ filter: nodePoolFilter }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => countNodePools(args.filter, ctx),
  }),
  legacyNodePools: t.field({
    type: [LegacyNodePoolRef],
    nullable: true,
    deprecationReason: 'Use nodePools(filter: { clusterId: { eq: … } }), over the current API.',
    description:
      'The node pools of one cluster through the deprecated `/v1/k8s` API, which does not page: the first `first` of them; a cluster with more comes with a PARTIAL_RESULT error saying how many it holds.',
    args: {
      clusterId: t.arg({ type: 'UUID', required: true, description: 'The cluster id.' }),
      first: t.arg.int({
        defaultValue: LEGACY_DEFAULT_FIRST,
        description: `How many pools at most, 1..${LEGACY_MAX_FIRST}: what the list costs is priced by it.`,
      }),
    },
    extensions: {
      ...argumentRules({
        clusterId: typed,
        first: z
          .number()
          .int()
          .min(1, `must be between 1 and ${LEGACY_MAX_FIRST}`)
          .max(LEGACY_MAX_FIRST, `must be between 1 and ${LEGACY_MAX_FIRST}`),
      }),
      ...listSizes(({ first }: { first: number }) => ({ legacyNodePools: first })),
      ...upstreamCalls(1),
    },
    resolve: (_root, args, ctx, info) =>
      listLegacyNodePools(args.clusterId, args.first ?? LEGACY_DEFAULT_FIRST, ctx, () =>
        responsePathAsArray(info.path),
      ),
  }),
}));
