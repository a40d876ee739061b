/**
 * The gateway as an Apollo Federation 2 subgraph, under a real federation gateway: its `/subgraph` SDL is
 * composed with a second subgraph written here (teams that reference node pools by id) by
 * @theguild/federation-composition, and served by Hive Gateway's runtime in this process. Run:ai is the
 * simulator, whose calls are counted.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodePoolGlobalId } from '../../src/domain/ids.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { relabelAtRunai } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

const onCleanupAfterAll = useCleanupsAfterAll();

/** The second subgraph: teams, each with the GPU pools it uses, known to it by their ids only. */
const TEAMS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Team @key(fields: "id") { id: ID! name: String! gpuPools: [NodePool!]! }
  type NodePool @key(fields: "id", resolvable: false) { id: ID! }
  type Query { teams: [Team!]! }
`;
const TEAMS = [
  { id: 't1', name: 'vision', pools: ['1', '2'] },
  { id: 't2', name: 'speech', pools: ['3'] },
];

let stack: Stack;
let supergraphUrl: string;
let composedSdl: string;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanupAfterAll(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function teamsSubgraph(): Promise<string> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(TEAMS_SDL),
    resolvers: {
      Query: { teams: () => TEAMS },
      Team: {
        gpuPools: (team: (typeof TEAMS)[number]) => team.pools.map((id) => ({ id: nodePoolGlobalId(id) })),
      },
    },
  });
  const server = createServer(createYoga({ schema, graphiql: false, logging: false }));
  server.closeAllConnections?.();
  return `${await listen(server)}/graphql`;
}

/** The gateway's own subgraph SDL, as a router fetches it. */
async function ourSdl(): Promise<string> {
  const res = await fetch(`${stack.url}/subgraph`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
}

async function supergraph(query: string, token = 'demo-admin') {
  const res = await fetch(`${supergraphUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent', pollIntervalMs: 500 } });
  onCleanupAfterAll(() => stack.stop());
  const teamsUrl = await teamsSubgraph();
  const composed = composeServices([
    { name: 'nodepools', typeDefs: parse(await ourSdl()), url: `${stack.url}/subgraph` },
    { name: 'teams', typeDefs: parse(TEAMS_SDL), url: teamsUrl },
  ]);
  expect(composed.errors ?? []).toEqual([]);
  composedSdl = composed.supergraphSdl as string;
  const gateway = createGatewayRuntime({
    supergraph: composedSdl,
    logging: false,
    // What the docs tell operators to configure: the caller's Authorization reaches the subgraphs.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  onCleanupAfterAll(() => gateway.dispose());
  supergraphUrl = await listen(createServer(gateway));
});

describe('the gateway in a supergraph', () => {
  it('composes with another subgraph: NodePool is an entity keyed by id, PageInfo and the errors shareable', () => {
    expect(composedSdl).toMatch(/type NodePool[^{]*@join__type\(graph: NODEPOOLS, key: "id"\)/);
    expect(composedSdl).toMatch(/type PageInfo[^{]*@join__type\(graph: NODEPOOLS\)/);
  });

  it('joins teams to their pools’ phases and metrics with the fewest Run:ai calls, on the caller’s token', async () => {
    stack.simulator.clearRequests();
    const body = await supergraph(
      '{ teams { name gpuPools { name phase metrics(types: [GPU_UTILIZATION]) { series { type } } } } }',
      'demo-viewer',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      teams: [
        {
          name: 'vision',
          gpuPools: [
            { name: 'default', phase: 'Ready', metrics: { series: [{ type: 'GPU_UTILIZATION' }] } },
            { name: 'a100', phase: 'Ready', metrics: { series: [{ type: 'GPU_UTILIZATION' }] } },
          ],
        },
        {
          name: 'speech',
          gpuPools: [{ name: 'h100', phase: 'Ready', metrics: { series: [{ type: 'GPU_UTILIZATION' }] } }],
        },
      ],
    });
    // One _entities request for the three references: a GET each (three are fewer than a list), and one
    // metrics call per pool.
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 3, get_nodepool_metrics: 3 });
    expect(new Set(stack.simulator.requests.map((r) => r.token))).toEqual(new Set(['demo-viewer']));
  });

  it('gives Run:ai’s 5xx and a refused argument their codes inside the supergraph’s errors', async () => {
    // Every attempt at the pools (the gateway retries a GET twice) answers 503.
    stack.simulator.faults.failNext(9, 503, { operation: 'get_nodepool' });
    const failed = await supergraph('{ teams { name gpuPools { name } } }');
    expect(failed.errors?.map((e) => e.extensions?.['code'])).toContain('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(failed)).not.toMatch(/stack|at .*\.ts/);
    stack.simulator.faults.reset();

    const refused = await supergraph(
      '{ teams { gpuPools { metrics(types: [GPU_UTILIZATION], window: { samples: 100000 }) { series { type } } } } }',
    );
    expect(refused.errors?.map((e) => e.extensions?.['code'])).toContain('BAD_USER_INPUT');
  });

  it('brings a nodePoolChanged event through the supergraph', async () => {
    const controller = new AbortController();
    const res = await fetch(`${supergraphUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: 'Bearer demo-admin',
      },
      body: JSON.stringify({
        query:
          'subscription { nodePoolChanged(filter: { ids: ["3"] }) { kind nodePool { name labelValue } } }',
      }),
      signal: controller.signal,
    });
    onCleanupAfterAll(() => controller.abort());
    let text = '';
    const reading = (async () => {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += Buffer.from(chunk).toString();
      }
    })().catch(() => undefined);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabelAtRunai(stack.simulator.url, 'through-the-supergraph');
    await eventually(() => expect(text).toContain('through-the-supergraph'), { timeout: 10_000 });
    expect(text).toContain('"kind":"UPDATED"');
    controller.abort();
    await reading;
  });
});
