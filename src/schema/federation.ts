/**
 * NodePool as an Apollo Federation entity: other subgraphs reference a pool
 * by its global id (`@key(fields: "id")`), and the supergraph's router asks
 * this one for the rest. Declared here, printed only in the subgraph schema
 * (./subgraph.ts): the standalone schema is unchanged.
 */
import { resolvePoolReference } from '../resolvers/federation.js';
import { builder } from './builder.js';
import { NodePoolRef } from './node-pool.js';

builder.asEntity(NodePoolRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (reference, ctx) => resolvePoolReference(reference.id, ctx),
});
