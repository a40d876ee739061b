import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/config.js';
import { type App, buildApp } from '../../src/server.js';

/**
 * GraphiQL in a real browser: the page the gateway serves at GET /graphql must render, run a query against
 * the embedded simulator and show the result, without any request leaving the machine (its assets are inlined).
 *
 * Needs Debian's Chromium: `apt-get install chromium` (never `npx playwright install`).
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../test-results/graphiql.png', import.meta.url));
const QUERY = '{ nodePools(first: 5) { edges { node { name phase clusterName } } } }';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether the browser may fetch this URL: loopback, or not a network URL at all (data:, blob:). */
function isLocal(raw: string): boolean {
  const url = new URL(raw);
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return LOOPBACK.has(url.hostname);
}

/**
 * The text of a Monaco editor, line by line. Monaco positions its line elements absolutely and may reuse them
 * out of document order, so they are sorted by their `top` offset. It only renders the lines in view: the
 * viewport below is tall enough for the whole result.
 */
async function monacoText(page: Page, scope: string): Promise<string> {
  const lines = await page.locator(`${scope} .view-lines .view-line`).all();
  const rows = await Promise.all(
    lines.map(async (line) => {
      const style = (await line.getAttribute('style')) ?? '';
      const top = Number(/top:\s*(-?[\d.]+)px/.exec(style)?.[1] ?? Number.NaN);
      return { top, text: ((await line.textContent()) ?? '').replace(/\u00a0/g, ' ') };
    }),
  );
  return rows
    .sort((a, b) => a.top - b.top)
    .map((row) => row.text)
    .join('\n');
}

describe('GraphiQL in headless Chromium', () => {
  let app: App;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  /** Requests (and WebSockets) aimed anywhere but loopback; `request` events and routes both report them. */
  const outside = new Set<string>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = buildApp(makeConfig({ logLevel: 'silent' }));
    url = await app.start(0, '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1200 } });
    // Loopback goes through; anything else is recorded and refused.
    await context.route('**/*', async (route) => {
      const requested = route.request().url();
      if (isLocal(requested)) return route.continue();
      outside.add(`${route.request().method()} ${requested}`);
      return route.abort('blockedbyclient');
    });
    await context.routeWebSocket(
      (target) => !isLocal(target.href),
      (ws) => {
        outside.add(`WebSocket ${ws.url()}`);
        return ws.close();
      },
    );
    // A second net for requests that never reach a route handler.
    context.on('request', (request) => {
      if (!isLocal(request.url())) outside.add(`${request.method()} ${request.url()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  it('renders, runs a nodePools query from the Run button and shows the result, offline', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));

    // GraphiQL (as rendered by yoga) takes its initial query from the `query` search parameter.
    const response = await page.goto(`${url}/graphql?query=${encodeURIComponent(QUERY)}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    // yoga wraps GraphiQL's own .graphiql-container in another one.
    await page.locator('.graphiql-container').first().waitFor();
    const queryEditor = '.graphiql-query-editor';
    await page.locator(`${queryEditor} .monaco-editor .view-lines`).waitFor();
    await expect.poll(() => monacoText(page, queryEditor)).toBe(QUERY);

    const execution = page.waitForResponse(
      (res) =>
        res.url().startsWith(`${url}/graphql`) &&
        res.request().method() === 'POST' &&
        (res.request().postData() ?? '').includes('nodePools'),
    );
    await page.locator('button.graphiql-execute-button').click();
    const executed = await execution;
    expect(executed.status()).toBe(200);
    const sent = JSON.parse(executed.request().postData() ?? '{}') as { query?: string };
    expect(sent.query?.replace(/\s+/g, '')).toBe(QUERY.replace(/\s+/g, ''));
    const body = (await executed.json()) as {
      data?: { nodePools?: { edges?: { node: { name: string; phase: string; clusterName: string } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodePools?.edges).toHaveLength(5);

    // The result pane shows that same response.
    const resultPane = '.result-window';
    await page.locator(`${resultPane} .view-lines`).filter({ hasText: 'a100' }).waitFor();
    await expect.poll(() => monacoText(page, resultPane)).toContain('"default"');
    const shown = JSON.parse(await monacoText(page, resultPane)) as typeof body;
    expect(shown).toEqual(body);
    const names = shown.data?.nodePools?.edges?.map((edge) => edge.node.name);
    expect(names).toHaveLength(5);
    expect(names).toEqual(expect.arrayContaining(['default', 'a100']));

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    const attempted = [...outside];
    if (attempted.length > 0) console.error(`requests aimed off the machine:\n  ${attempted.join('\n  ')}`);
    expect(attempted).toEqual([]);
    if (pageErrors.length > 0) console.error(`uncaught page errors:\n  ${pageErrors.join('\n  ')}`);
    expect(pageErrors).toEqual([]);
  });
});
