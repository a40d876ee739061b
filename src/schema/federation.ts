/**
 * NodePool as an Apollo Federation entity: other subgraphs reference a pool
 * by its global id (`@key(fields: "id")`), or by its cluster and name
 * (`@key(fields: "clusterId name")`), the way other services know it; the
 * supergraph's router asks this one for the rest. Declared here, printed
 * only in the subgraph schema (./subgraph.ts): the standalone schema is
 * unchanged.
 */
import { resolvePoolReference } from '../resolvers/federation.js';
import { builder } from './builder.js';
import { NodePoolRef } from './node-pool.js';

builder.asEntity(NodePoolRef, {
  key: [
    builder.selection<{ id: string }>('id'),
    builder.selection<{ clusterId: string; name: string }>('clusterId name'),
  ],
  resolveReference: (reference, ctx) => resolvePoolReference(reference, ctx),
});
