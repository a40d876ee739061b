/**
 * The floor a GraphQL gateway cannot go below: a bare graphql-yoga server
 * with one resolver doing the same single Run:ai fetch over an undici Pool,
 * without loaders, validation plugins, limits or logging. The throughput
 * scenario compares the gateway with it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';

const upstream = process.env['RUNAI_URL'];
if (!upstream) throw new Error('RUNAI_URL is required');
const pool = new Pool(upstream, { connections: 64 });

const yoga = createYoga({
  logging: false,
  graphiql: false,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type NodePool { id: ID! name: String! phase: String clusterName: String! }
      type Query { nodePool(id: ID!): NodePool }
    `,
    resolvers: {
      Query: {
        nodePool: async (_root: unknown, args: { id: string }, ctx: { request: Request }) => {
          const authorization = ctx.request.headers.get('authorization') ?? '';
          const res = await pool.request({
            path: `/api/v1/node-pools/${encodeURIComponent(args.id)}`,
            method: 'GET',
            headers: { authorization, accept: 'application/json' },
          });
          if (res.statusCode === 404) {
            await res.body.dump();
            return null;
          }
          return res.body.json();
        },
      },
    },
  }),
});

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`reference yoga server listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().then(() => process.exit(0));
});
