import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app/app.js';
import { makeConfig } from '../src/config.js';
import { onCleanup } from './helpers/cleanup.js';
import { stackWith } from './helpers/stack.js';

/** A loopback port on which nothing listens. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('demo mode (no RUNAI_URL)', () => {
  it('serves the embedded simulator and lets callers without a token act as demo-admin', async () => {
    const app = buildApp(makeConfig({ logLevel: 'silent' }));
    onCleanup(() => app.stop());
    const url = await app.start(0, '127.0.0.1');
    expect(app.simulator).toBeDefined();

    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ nodePools(first: 5) { edges { node { name phase } } } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { nodePools: { edges: { node: { name: string } }[] } } };
    expect(body.data.nodePools.edges).toHaveLength(5);
    expect(app.simulator?.requests.filter((r) => r.operation === 'get_nodepools')).toHaveLength(1);
    expect(app.simulator?.requests[0]?.tenantId).toBe(1001);
  });
});

describe('gateway in front of a configured upstream', () => {
  it('pages through pools end to end with the caller’s token', async () => {
    const stack = await stackWith();
    const first = await stack.query<{
      nodePools: {
        edges: { cursor: string; node: { name: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>('{ nodePools(first: 3) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }');
    expect(first.errors).toBeUndefined();
    expect(first.data?.nodePools.edges).toHaveLength(3);
    expect(first.data?.nodePools.pageInfo.hasNextPage).toBe(true);

    const second = await stack.query<{ nodePools: { edges: { node: { name: string } }[] } }>(
      'query($after: String) { nodePools(first: 3, after: $after) { edges { node { name } } } }',
      { after: first.data?.nodePools.pageInfo.endCursor },
    );
    const names = (r: typeof second) => r.data?.nodePools.edges.map((e) => e.node.name) ?? [];
    expect(names(second)).toHaveLength(3);
    expect(names(second)).not.toEqual(first.data?.nodePools.edges.map((e) => e.node.name));
    const lists = stack.simulator.requests.filter((r) => r.operation === 'get_nodepools');
    expect(lists.map((r) => [r.query.offset, r.query.limit])).toEqual([
      ['0', '4'],
      ['3', '4'],
    ]);
  });

  it('answers UNAUTHENTICATED without any upstream call when the caller sends no token', async () => {
    const stack = await stackWith();
    const res = await stack.query('{ nodePools(first: 2) { edges { node { name } } } }', {}, null);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('serves /healthz and /readyz, and a 404 elsewhere', async () => {
    const stack = await stackWith();
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${stack.url}/nope`)).status).toBe(404);
  });

  it('reports not ready while the upstream does not answer', async () => {
    const port = await closedPort();
    const app = buildApp(
      makeConfig({ runaiUrl: `http://127.0.0.1:${port}`, logLevel: 'silent', upstreamMaxRetries: 0 }),
    );
    onCleanup(() => app.stop());
    const url = await app.start(0, '127.0.0.1');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });
});

describe('GraphiQL', () => {
  it('is served to browsers without loading anything from outside the server', async () => {
    const stack = await stackWith();
    const res = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<script');
    const external = [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)]
      .map((m) => m[1] ?? '')
      .filter((ref) => /^(?:https?:)?\/\//i.test(ref));
    expect(external).toEqual([]);
  });
});
