import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Answer, codesOf } from '../helpers/http.js';
import { type Stack, stackWith } from '../helpers/stack.js';

/**
 * Finding 3 of the fourth security round: with `INTROSPECTION=false`,
 * `_service { sdl }` handed the whole subgraph schema (34,103 characters)
 * to any invented token with no Run:ai call, since nothing asked Run:ai to
 * judge the token; and 50 aliases of it turned a 1,103-byte request into a
 * 1,874,450-byte answer. Introspection off now means off for `_service`
 * too and on every transport (graphql-ws included); the subgraph's SDL goes
 * only to a token Run:ai accepts or to the router secret; and each field
 * that answers from the schema alone may be asked once per operation.
 */

const SDL = '{ _service { sdl } }';
const SCHEMA = '{ __schema { queryType { name } } }';

type Path = '/graphql' | '/subgraph';

/** Sends a document to one path over one transport; resolves the codes and the HTTP status, if any. */
async function send(
  stack: Stack,
  transport: 'POST' | 'GET' | 'SSE' | 'graphql-ws',
  path: Path,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ codes: unknown[]; status?: number; data?: unknown }> {
  const url = `${stack.url}${path}`;
  if (transport === 'graphql-ws') {
    return new Promise((resolve) => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: headers['authorization'] ?? '' },
      });
      const done = (outcome: { codes: unknown[]; data?: unknown }) => {
        resolve(outcome);
        void client.dispose();
      };
      const codes = (errors: readonly unknown[]) =>
        errors.map((error) => (error as { extensions?: { code?: unknown } }).extensions?.code);
      client.subscribe(
        { query },
        {
          next: (result) => done({ codes: codes(result.errors ?? []), data: result.data }),
          error: (error) => done({ codes: Array.isArray(error) ? codes(error) : ['CLOSED'] }),
          complete: () => done({ codes: [] }),
        },
      );
    });
  }
  if (transport === 'GET') {
    const res = await fetch(`${url}?${new URLSearchParams({ query })}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1', ...headers },
    });
    const body = (await res.json()) as Answer['body'];
    return { codes: codesOf(body), status: res.status, data: body.data };
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: transport === 'SSE' ? 'text/event-stream' : 'application/graphql-response+json',
      ...headers,
    },
    body: JSON.stringify({ query }),
  });
  if (transport === 'POST') {
    const body = (await res.json()) as Answer['body'];
    return { codes: codesOf(body), status: res.status, data: body.data };
  }
  const text = await res.text();
  const first = /event: next\ndata: (.*)\n/.exec(text)?.[1];
  const body = first ? (JSON.parse(first) as Answer['body']) : {};
  return { codes: codesOf(body), status: res.status, data: body.data };
}

const TRANSPORTS = ['POST', 'GET', 'SSE', 'graphql-ws'] as const;

describe('introspection off means off', () => {
  it.each(TRANSPORTS)(
    'refuses _service and __schema on /subgraph and __schema on /graphql over %s, with no Run:ai call',
    async (transport) => {
      const stack = await stackWith({ introspection: false });
      const invented = { authorization: 'Bearer invented-token' };
      for (const [path, query] of [
        ['/subgraph', SDL],
        ['/subgraph', SCHEMA],
        ['/graphql', SCHEMA],
      ] as const) {
        const outcome = await send(stack, transport, path, query, invented);
        expect(outcome.codes.length, `${path} ${query}`).toBeGreaterThan(0);
        expect(new Set(outcome.codes), `${path} ${query}`).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
        if (outcome.status !== undefined) expect(outcome.status).toBe(400);
        expect(outcome.data).toBeUndefined();
      }
      expect(stack.simulator.requests).toHaveLength(0);
    },
  );

  it('serves the SDL to the router secret with no token and no call, with introspection off', async () => {
    const stack = await stackWith({ introspection: false, routerSecret: 'a-long-router-secret-0123456789' });
    const outcome = await send(stack, 'POST', '/subgraph', SDL, {
      'x-router-secret': 'a-long-router-secret-0123456789',
    });
    expect(outcome.codes).toEqual([]);
    expect((outcome.data as { _service: { sdl: string } })._service.sdl).toContain('type NodePool');
    const wrong = await send(stack, 'POST', '/subgraph', SDL, { 'x-router-secret': 'guessed' });
    expect(wrong.codes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('the subgraph SDL goes to credentials Run:ai accepts', () => {
  it('asks Run:ai once about a token it has not judged: an invented token gets UNAUTHENTICATED, never the SDL', async () => {
    const stack = await stackWith();
    const invented = await send(stack, 'POST', '/subgraph', SDL, { authorization: 'Bearer invented-token' });
    expect(invented.codes).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(invented.data ?? null)).not.toContain('NodePool');
    expect(stack.simulator.requests).toHaveLength(1);
    // Refused moments ago: refused again without asking.
    const again = await send(stack, 'GET', '/subgraph', SDL, { authorization: 'Bearer invented-token' });
    expect([again.status, again.codes]).toEqual([401, ['UNAUTHENTICATED']]);
    expect(stack.simulator.requests).toHaveLength(1);
  });

  it('serves a token Run:ai accepted, asking at most once, and never without a token', async () => {
    const stack = await stackWith();
    const first = await send(stack, 'POST', '/subgraph', SDL, { authorization: 'Bearer demo-viewer' });
    expect(first.codes).toEqual([]);
    expect((first.data as { _service: { sdl: string } })._service.sdl).toContain('type NodePool');
    const calls = stack.simulator.requests.length;
    expect(calls).toBeLessThanOrEqual(1);
    const second = await send(stack, 'graphql-ws', '/subgraph', SDL, { authorization: 'Bearer demo-viewer' });
    expect(second.codes).toEqual([]);
    expect(stack.simulator.requests).toHaveLength(calls);
    const none = await send(stack, 'POST', '/subgraph', SDL);
    expect([none.status, none.codes]).toEqual([401, ['UNAUTHENTICATED']]);
  });
});

describe('fields that answer from the schema alone are asked once', () => {
  it('refuses aliases of _service, __schema and __type past their allowance before they run: no answer is a multiple of the schema', async () => {
    const stack = await stackWith();
    const cases = [
      ['/subgraph', 'a0: _service { sdl }', 50],
      ['/graphql', 'a0: __schema { types { name fields { name } } }', 50],
      ['/graphql', 'a0: __type(name: "NodePool") { fields { name description } }', 11],
    ] as const;
    for (const [path, one, aliases] of cases) {
      const repeated = Array.from({ length: aliases }, (_, i) => one.replace('a0', `a${i}`)).join(' ');
      const outcome = await send(stack, 'POST', path, `{ ${repeated} }`, {
        authorization: 'Bearer demo-admin',
      });
      expect([outcome.status, outcome.codes], one).toEqual([400, ['QUERY_LIMIT_EXCEEDED']]);
      // Within the allowance it is fine.
      const single = await send(stack, 'POST', path, `{ ${one} }`, { authorization: 'Bearer demo-admin' });
      expect(single.codes, one).toEqual([]);
    }
    // The SDL asked Run:ai once about the token (nothing vouched for it yet); nothing else called it.
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(1);
  });
});
