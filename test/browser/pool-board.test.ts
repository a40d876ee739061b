/**
 * The reference live app (examples/pool-board) as a frontend team ships it: built with Vite from the
 * committed schema's typed documents, served from its own origin, and driven in headless Chromium against
 * the gateway. The table loads; a patch, a create and a delete sent through the gateway appear without a
 * reload; and the same holds with PERSISTED_DOCUMENTS + PERSISTED_ONLY.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { launchChromium } from './graphiql-page.js';

const APP = new URL('../../examples/pool-board/', import.meta.url).pathname;
const MANIFEST = join(APP, 'src/gql/persisted-documents.json');
const LIVE = { timeout: 20_000 };
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

let dist: string;
let site: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'pool-board-'));
  await build({ root: APP, logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
  // The app's own origin, as a static host would serve it.
  site = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    readFile(join(dist, path === '/' ? 'index.html' : path)).then(
      (body) =>
        res.writeHead(200, { 'content-type': TYPES[extname(path || '.html')] ?? 'text/html' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
});

/** The gateway in demo mode, allowing the app's origin, polling every 500 ms. */
async function gatewayFor(extra: Record<string, unknown> = {}): Promise<{ app: App; url: string }> {
  const app = buildApp(
    makeConfig({ logLevel: 'silent', pollIntervalMs: 500, corsOrigins: origin, ...extra }),
  );
  return { app, url: await app.start(0, '127.0.0.1') };
}

const PATCH =
  'mutation($id: ID!) { patchNodePool(id: $id, input: { labelValue: "board-patched" }) { __typename } }';
const CREATE =
  'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { id } } } }';
const DELETE = 'mutation($id: ID!) { deleteNodePool(id: $id) { __typename } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The app's manifest, plus the mutations another tool of the same deployment ships (PERSISTED_ONLY runs only these). */
function manifestWithMutations(): string {
  const documents = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
  for (const document of [PATCH, CREATE, DELETE]) documents[sha256(document)] = document;
  const path = join(mkdtempSync(join(tmpdir(), 'pool-board-manifest-')), 'persisted-documents.json');
  writeFileSync(path, JSON.stringify(documents));
  return path;
}

/**
 * Sends a mutation through the gateway, as another tool of the deployment would: by its persisted id when
 * the gateway runs only trusted documents.
 */
async function mutateThrough(
  url: string,
  persistedOnly: boolean,
  query: string,
  variables: Record<string, unknown>,
) {
  const document = persistedOnly ? { documentId: sha256(query) } : { query };
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({ ...document, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data as Record<string, { nodePool?: { id: string } }>;
}

const rowOf = (page: Page, name: string) => page.locator('#pools tr', { hasText: name }).first();

async function runBoard(persistedOnly: boolean) {
  const gateway = await gatewayFor(
    persistedOnly ? { persistedDocuments: manifestWithMutations(), persistedOnly: true } : {},
  );
  const context = await browser.newContext();
  const mutate = (query: string, variables: Record<string, unknown>) =>
    mutateThrough(gateway.url, persistedOnly, query, variables);
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(
      `${origin}/?gateway=${encodeURIComponent(gateway.url)}&token=demo-admin&persisted=${persistedOnly}`,
    );
    await expect.poll(() => page.locator('#status').textContent(), LIVE).toMatch(/pools, live/);
    await expect.poll(() => rowOf(page, 'a100').isVisible(), LIVE).toBe(true);

    // A patch made through the gateway reaches the open page, no reload.
    const a100 = await rowOf(page, 'a100').getAttribute('data-id');
    await mutate(PATCH, { id: a100 });
    await expect.poll(() => rowOf(page, 'a100').textContent(), LIVE).toContain('board-patched');

    // A created pool appears, then disappears once deleted.
    const created = await mutate(CREATE, {
      input: {
        name: 'board-new',
        clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
        labelKey: 'pool',
        labelValue: 'board',
      },
    });
    await expect.poll(() => rowOf(page, 'board-new').isVisible(), LIVE).toBe(true);
    const id = created['createNodePool']?.nodePool?.id;
    await mutate(DELETE, { id });
    await expect.poll(() => page.locator('#pools tr', { hasText: 'board-new' }).count(), LIVE).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await gateway.app.stop();
  }
}

describe('the reference live app', () => {
  it('loads the table with urql’s defaults and a token, and follows a patch, a create and a delete live', () =>
    runBoard(false));

  it('does the same with only its persisted documents (PERSISTED_DOCUMENTS + PERSISTED_ONLY)', () =>
    runBoard(true));
});
