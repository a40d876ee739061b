/**
 * What a frontend team meets on its first day, against a real gateway and
 * simulator: CSRF only where the gateway acts on ambient credentials, refusals
 * for an origin that say so in the log, content negotiation with a coded 406,
 * and trusted documents by GET, reloaded without a restart.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { onCleanup } from '../helpers/cleanup.js';
import { stackWith, startStack } from '../helpers/stack.js';

const COUNT = 'query PoolCount { nodePoolCount }';
const NAMES = 'query PoolNames { nodePools(first: 2) { edges { node { name } } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A GET of GraphQL over HTTP with only the headers given: what a browser or urql sends. */
async function rawGet(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql?${new URLSearchParams(params)}`, {
    headers: { accept: 'application/graphql-response+json', ...headers },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

function manifest(documents: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'first-day-')), 'persisted-documents.json');
  writeManifest(path, documents);
  return path;
}
function writeManifest(path: string, documents: string[]): void {
  writeFileSync(path, JSON.stringify(Object.fromEntries(documents.map((d) => [sha256(d), d]))));
}

describe('CSRF where it protects something', () => {
  it('a GET with its own bearer token needs no CSRF header (urql’s default request)', async () => {
    const stack = await stackWith();
    const answer = await rawGet(stack.url, { query: COUNT }, { authorization: 'Bearer demo-admin' });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ nodePoolCount: expect.any(Number) });
  });

  it('a GET on ambient credentials (demo mode, no token) still needs one, and the 403 names the headers', async () => {
    await using gateway = await demoGateway();
    const answer = await rawGet(gateway.url, { query: COUNT });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(answer.body.errors?.[0]?.message).toContain('x-graphql-yoga-csrf');
    expect(answer.body.errors?.[0]?.message).toContain('Authorization: Bearer');
    expect((await rawGet(gateway.url, { query: COUNT }, { 'x-graphql-yoga-csrf': '1' })).status).toBe(200);
  });

  it('Basic credentials, which a browser may attach by itself, do not count', async () => {
    const stack = await stackWith();
    const answer = await rawGet(stack.url, { query: COUNT }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stack.simulator.requests).toEqual([]);
  });

  it('a form POST without a token is refused in demo mode before anything runs', async () => {
    await using gateway = await demoGateway();
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('mutation { deleteNodePool(id: "1") { __typename } }')}`,
    });
    expect(res.status).toBe(403);
  });
});

/** The gateway in demo mode (its own simulator, ambient demo credentials), stopped with `await using`. */
async function demoGateway() {
  const { buildApp } = await import('../../src/app/app.js');
  const { makeConfig } = await import('../../src/config.js');
  const app = buildApp(makeConfig({ logLevel: 'silent', rateLimitPerMinute: 0 }));
  const url = await app.start(0, '127.0.0.1');
  return { url, app, [Symbol.asyncDispose]: () => app.stop() };
}

describe('refusals that explain themselves', () => {
  it('logs a cross-origin request from an unlisted origin once, with the list and the exact-match hint', async () => {
    const stack = await startStack({ config: { logLevel: 'info', corsOrigins: 'http://127.0.0.1:5173' } });
    onCleanup(() => stack.stop());
    const send = () =>
      fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: 'http://localhost:5173',
          authorization: 'Bearer demo-admin',
        },
        body: JSON.stringify({ query: COUNT }),
      });
    for (let i = 0; i < 5; i += 1) await (await send()).text();
    const lines = stack.logs.filter((line) => String(line['msg']).includes('not in CORS_ORIGINS'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      origin: 'http://localhost:5173',
      allowedOrigins: ['http://127.0.0.1:5173'],
      hint: expect.stringContaining('exactly'),
    });
  });

  it('logs a WebSocket upgrade refused for its Origin', async () => {
    const stack = await startStack({ config: { logLevel: 'info' } });
    onCleanup(() => stack.stop());
    const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
      origin: 'http://localhost:5173',
    });
    const refused = await new Promise<boolean>((resolve) => {
      ws.on('unexpected-response', () => resolve(true));
      ws.on('open', () => resolve(false));
      ws.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    expect(stack.logs.filter((line) => String(line['msg']).startsWith('WebSocket upgrade refused'))).toEqual([
      expect.objectContaining({ origin: 'http://localhost:5173', allowedOrigins: [] }),
    ]);
  });
});

describe('content negotiation', () => {
  it('answers @defer to a client that accepts no incremental delivery with a coded 406 naming what to accept', async () => {
    const stack = await stackWith();
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: 'Bearer demo-admin',
      },
      body: JSON.stringify({ query: '{ nodePoolCount ... @defer { nodePools(first: 1) { totalCount } } }' }),
    });
    expect(res.status).toBe(406);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBeTypeOf('string');
    expect(body.errors[0]?.message).toMatch(/multipart\/mixed/);
    expect(body.errors[0]?.message).toMatch(/text\/event-stream/);
    expect(stack.simulator.requests).toEqual([]);
  });
});

describe('trusted documents, practical', () => {
  it('runs a manifest document by GET with documentId', async () => {
    const stack = await stackWith({ persistedDocuments: manifest([COUNT]), persistedOnly: true });
    const answer = await rawGet(
      stack.url,
      { documentId: sha256(COUNT) },
      { authorization: 'Bearer demo-admin' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ nodePoolCount: expect.any(Number) });
  });

  it('reloads a changed manifest without a restart, and keeps the previous one when a reload breaks', async () => {
    const path = manifest([COUNT]);
    const stack = await startStack({
      config: { logLevel: 'info', persistedDocuments: path, persistedOnly: true },
    });
    onCleanup(() => stack.stop());
    expect(stack.logs).toContainEqual(
      expect.objectContaining({ msg: 'trusted documents loaded', documents: 1 }),
    );
    const names = () =>
      rawGet(stack.url, { documentId: sha256(NAMES) }, { authorization: 'Bearer demo-admin' });
    expect((await names()).status).toBe(404);

    writeManifest(path, [COUNT, NAMES]);
    await vi.waitFor(async () => expect((await names()).status).toBe(200), {
      timeout: 10_000,
      interval: 200,
    });

    writeFileSync(path, '{ "broken": "query {" ');
    await vi.waitFor(
      () =>
        expect(
          stack.logs.some((line) => String(line['msg']).startsWith('trusted documents not reloaded')),
        ).toBe(true),
      { timeout: 10_000, interval: 200 },
    );
    expect((await names()).status).toBe(200);
  });

  it('with PERSISTED_ONLY, serves no GraphiQL (it could run nothing) and runs introspection only from the manifest', async () => {
    const stack = await stackWith({ persistedDocuments: manifest([COUNT]), persistedOnly: true });
    const page = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    const introspection = await rawGet(
      stack.url,
      { query: '{ __schema { queryType { name } } }' },
      {
        authorization: 'Bearer demo-admin',
      },
    );
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
  });
});
