import { listNodePools } from '../resolvers/node-pools.js';
import { builder } from './builder.js';
import { NodePoolRef } from './node-pool.js';

builder.queryFields((t) => ({
  nodePools: t.connection(
    {
      type: NodePoolRef,
      description: 'Node pools visible to the caller, a page at a time.',
      resolve: (_root, args, ctx) => listNodePools(args, ctx),
    },
    { description: 'A page of node pools.' },
    { description: 'A node pool and its cursor.' },
  ),
}));
