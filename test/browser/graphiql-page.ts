import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Helpers that drive the GraphiQL page the gateway serves, in Debian's Chromium through playwright-core
 * (`apt-get install chromium`; never `npx playwright install`).
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether the browser may fetch this URL: loopback, or not a network URL at all (data:, blob:). */
function isLocal(raw: string): boolean {
  const url = new URL(raw);
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return LOOPBACK.has(url.hostname);
}

/**
 * A fresh browser context (so GraphiQL's tabs and headers, kept in localStorage, start empty) in which
 * loopback goes through and anything else is recorded in `outside` and refused.
 */
export async function offlineContext(
  browser: Browser,
  viewport = { width: 1400, height: 1200 },
): Promise<{ context: BrowserContext; outside: Set<string> }> {
  const outside = new Set<string>();
  const context = await browser.newContext({ viewport });
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
  return { context, outside };
}

/** GraphiQL's Monaco editors, by the end of their model URI. */
export const EDITOR = {
  operation: '.monaco-editor[data-uri$="-operation.graphql"]',
  variables: '.monaco-editor[data-uri$="-variables.json"]',
  headers: '.monaco-editor[data-uri$="-request-headers.json"]',
  result: '.monaco-editor[data-uri$="-response.json"]',
} as const;

/**
 * The text of a Monaco editor, line by line. Monaco positions its line elements absolutely and may reuse them
 * out of document order, so they are sorted by their `top` offset. It only renders the lines in view: the
 * viewport must be tall enough for the whole text.
 */
export async function monacoText(page: Page, scope: string): Promise<string> {
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

/** The result pane's JSON, once it parses (an empty pane or one being rewritten does not). */
export async function resultJson(page: Page): Promise<unknown> {
  try {
    return JSON.parse(await monacoText(page, EDITOR.result));
  } catch {
    return undefined;
  }
}

/** Opens GraphiQL at GET /graphql (with `?query=` when given) and waits for its operation editor. */
export async function openGraphiQL(
  context: BrowserContext,
  url: string,
  query?: string,
): Promise<{ page: Page; pageErrors: string[]; response: Response | null }> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // GraphiQL (as rendered by yoga) takes its initial query from the `query` search parameter.
  const search = query === undefined ? '' : `?query=${encodeURIComponent(query)}`;
  const response = await page.goto(`${url}/graphql${search}`);
  // yoga wraps GraphiQL's own .graphiql-container in another one.
  await page.locator('.graphiql-container').first().waitFor();
  await page.locator(`${EDITOR.operation} .view-lines`).waitFor();
  return { page, pageErrors, response };
}

/** Shows the Variables or Headers tab of the bottom "editor tools" section. */
export async function showEditorTool(page: Page, tool: 'Variables' | 'Headers'): Promise<void> {
  await page.locator('.graphiql-editor-tools').getByRole('button', { name: tool, exact: true }).click();
  await page.locator(`section.graphiql-editor-tool[aria-label="${tool}"]`).waitFor();
}

/** Replaces the whole text of an editor as a user would: click into it, select all, type. */
export async function replaceEditorText(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(`${editor} .view-lines`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText types the text in one input event, so Monaco's auto-closing brackets and quotes stay out of it.
  await page.keyboard.insertText(text);
  await expect.poll(() => monacoText(page, editor)).toBe(text);
}

/** Clicks the Run button (it turns into a Stop button while a subscription runs). */
export async function clickRun(page: Page): Promise<void> {
  await page.locator('button.graphiql-execute-button').click();
}

/** The next response of the gateway's /graphql to a `method` request whose operation contains `marker`. */
export function graphqlResponse(page: Page, url: string, method: 'GET' | 'POST', marker: string) {
  return page.waitForResponse((res) => {
    const request = res.request();
    if (!res.url().startsWith(`${url}/graphql`) || request.method() !== method) return false;
    // GET carries the operation in the `query` search parameter (subscriptions), POST in its JSON body.
    const operation =
      method === 'GET' ? (new URL(res.url()).searchParams.get('query') ?? '') : (request.postData() ?? '');
    return operation.includes(marker);
  });
}

/** Neither a request off the machine nor an uncaught page error happened. */
export function expectOfflineAndClean(outside: Set<string>, pageErrors: string[]): void {
  const attempted = [...outside];
  if (attempted.length > 0) console.error(`requests aimed off the machine:\n  ${attempted.join('\n  ')}`);
  expect(attempted).toEqual([]);
  if (pageErrors.length > 0) console.error(`uncaught page errors:\n  ${pageErrors.join('\n  ')}`);
  expect(pageErrors).toEqual([]);
}

/** A GraphQL request sent to the gateway from Node (not from the page), as a second client would. */
export async function gatewayRequest<T>(url: string, query: string, token?: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

export interface PoolRow {
  runaiId: string;
  name: string;
  clusterName: string;
  phase: string;
}

/** The pool of that name among those a token sees. */
export async function poolNamed(url: string, token: string, name: string): Promise<PoolRow> {
  const data = await gatewayRequest<{ nodePools: { edges: { node: PoolRow }[] } }>(
    url,
    '{ nodePools(first: 50) { edges { node { runaiId name clusterName phase } } } }',
    token,
  );
  const found = data.nodePools.edges.map((edge) => edge.node).find((row) => row.name === name);
  if (!found) throw new Error(`no pool ${name} for ${token}`);
  return found;
}
