/**
 * `/subgraph`: the federation subgraph, served through the same pipeline as `/graphql`. Its printed schema
 * is committed; `_entities` has the limits and call prediction of `nodes(ids:)`; standalone users see none
 * of it.
 */
import { readFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { createClient } from 'graphql-ws';
import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodePoolGlobalId } from '../../src/domain/ids.js';
import { subgraphSchema } from '../../src/schema/subgraph.js';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { relabelAtRunai } from '../helpers/live.js';
import { stackWith } from '../helpers/stack.js';

const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on NodePool { name } } }';

async function post(url: string, query: string, variables: object = {}, token: string | null = 'demo-admin') {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { extensions?: { code?: string } }[];
    },
  };
}

/** A graphql-ws client of `/subgraph`, with the caller's token in `connection_init`. */
function createClientFor(url: string) {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: 'Bearer demo-admin' },
  });
}

/** The demo seed's pools 1 to 10, as tenant 1001 sees them. */
const ENTITY_NAMES = [
  'default',
  'a100',
  'h100',
  't4-inference',
  'l4-batch',
  'mi300',
  'gh200-preview',
  'default',
  'research-a100',
  'v100-legacy',
];

const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'NodePool', id }));

describe('/subgraph', () => {
  it('matches the committed subgraph.graphql (run `npm run codegen` after changing the schema)', () => {
    const committed = readFileSync(new URL('../../subgraph.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSubgraphSchema(subgraphSchema).trim()}\n`);
  });

  it('resolves references through the request’s loaders: a GET each for a few, one list call for many', async () => {
    const stack = await stackWith();
    const few = await post(`${stack.url}/subgraph`, ENTITIES, { r: refs([nodePoolGlobalId('1'), '2']) });
    expect(few.body).toEqual({ data: { _entities: [{ name: 'default' }, { name: 'a100' }] } });
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 2 });

    stack.simulator.clearRequests();
    const ids = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
    const many = await post(`${stack.url}/subgraph`, ENTITIES, { r: refs(ids) });
    const entities = many.body.data?.['_entities'] as ({ name: string } | null)[] | undefined;
    // More than eight unknown ids: one list of the tenant's pools instead of ten GETs.
    expect(entities?.map((e) => e?.name ?? null)).toEqual(ENTITY_NAMES);
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });

  it('resolves references to pools the request already lists for nothing', async () => {
    const stack = await stackWith();
    const both = await post(
      `${stack.url}/subgraph`,
      'query($r: [_Any!]!) { nodePools(first: 10) { edges { node { name } } } _entities(representations: $r) { ... on NodePool { name } } }',
      {
        r: [...refs(['1', '2']), { __typename: 'NodePool', clusterId: SEED_CLUSTER_IDS.prod, name: 'h100' }],
      },
    );
    expect(both.body.data?.['_entities']).toEqual([{ name: 'default' }, { name: 'a100' }, { name: 'h100' }]);
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });

  it('resolves references by cluster and name: a filtered list call for one, one list call for many', async () => {
    const stack = await stackWith();
    const prod = SEED_CLUSTER_IDS.prod;
    const one = await post(`${stack.url}/subgraph`, ENTITIES, {
      r: [{ __typename: 'NodePool', clusterId: prod, name: 'a100' }],
    });
    expect(one.body).toEqual({ data: { _entities: [{ name: 'a100' }] } });
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
    expect(stack.simulator.requests[0]?.query['filterBy']).toBe(`name==a100,clusterId==${prod}`);

    stack.simulator.clearRequests();
    const names = ['default', 'a100', 'h100', 'nope-1', 'nope-2', 'nope-3', 'nope-4', 'nope-5', 'nope-6'];
    const many = await post(`${stack.url}/subgraph`, ENTITIES, {
      r: names.map((name) => ({ __typename: 'NodePool', clusterId: prod, name })),
    });
    expect(many.body).toEqual({
      data: {
        _entities: [
          { name: 'default' },
          { name: 'a100' },
          { name: 'h100' },
          null,
          null,
          null,
          null,
          null,
          null,
        ],
      },
    });
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });

    stack.simulator.clearRequests();
    const invalid = await post(`${stack.url}/subgraph`, ENTITIES, {
      r: [
        { __typename: 'NodePool', clusterId: 'not-a-uuid', name: 'a100' },
        { __typename: 'NodePool', clusterId: prod, name: 'Bad,Name' },
      ],
    });
    expect(invalid.body).toEqual({ data: { _entities: [null, null] } });
    expect(stack.upstreamCalls()).toEqual({});
  });

  it('bounds `_entities` before any call: at most 500 references, of NodePool ids only', async () => {
    const stack = await stackWith();
    const tooMany = await post(`${stack.url}/subgraph`, ENTITIES, {
      r: refs(Array.from({ length: 501 }, (_, i) => String(i + 1))),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const foreign = await post(`${stack.url}/subgraph`, ENTITIES, { r: [{ __typename: 'Team', id: 't1' }] });
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const garbage = await post(`${stack.url}/subgraph`, ENTITIES, { r: refs(['../../etc/passwd']) });
    expect(garbage.body).toEqual({ data: { _entities: [null] } });
    expect(stack.upstreamCalls()).toEqual({});
  });

  it('serves subscriptions over graphql-ws too, as a router’s passthrough subscriptions open them', async () => {
    const stack = await stackWith({ pollIntervalMs: 500 });
    const sub = createClientFor(`${stack.url}/subgraph`);
    onCleanup(() => sub.dispose());
    const events: string[] = [];
    sub.subscribe<{ nodePoolChanged: { nodePool: { labelValue: string } } }>(
      { query: 'subscription { nodePoolChanged(filter: { ids: ["3"] }) { nodePool { labelValue } } }' },
      {
        next: (r) => r.data && events.push(r.data.nodePoolChanged.nodePool.labelValue),
        error: () => {},
        complete: () => {},
      },
    );
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabelAtRunai(stack.simulator.url, 'over-the-subgraph-socket');
    await eventually(() => expect(events).toContain('over-the-subgraph-socket'));
  });

  it('asks for credentials as /graphql does', async () => {
    const stack = await stackWith();
    const anonymous = await post(`${stack.url}/subgraph`, ENTITIES, { r: refs(['1']) }, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.upstreamCalls()).toEqual({});
  });

  it('leaves /graphql as it was: no _entities, no _service, no federation directives', async () => {
    const stack = await stackWith();
    const { body } = await post(
      `${stack.url}/graphql`,
      '{ __schema { queryType { fields { name } } directives { name } types { name } } }',
    );
    const schema = body.data?.['__schema'] as {
      queryType: { fields: { name: string }[] };
      directives: { name: string }[];
      types: { name: string }[];
    };
    expect(schema.queryType.fields.map((f) => f.name)).toEqual([
      'node',
      'nodes',
      'nodePool',
      'nodePools',
      'nodePoolCount',
    ]);
    expect(schema.directives.map((d) => d.name)).not.toContain('key');
    expect(schema.types.map((t) => t.name)).not.toContain('_Any');
    expect(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')).not.toMatch(
      /@key|_entities/,
    );
  });
});
