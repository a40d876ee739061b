import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { Simulator } from 'runai-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { launchChromium } from '../browser/graphiql-page.js';

/**
 * No web page can act for a user. In demo mode the gateway acts without the
 * caller's token, so a page from any origin that could send it a JSON POST
 * or open a WebSocket could change pools through a visitor's browser. Only
 * the origins in CORS_ORIGINS may; the gateway's own page always may.
 * Needs Debian's Chromium (`apt-get install chromium`).
 */

/** A bare page on its own loopback origin, from which the browser calls the gateway. */
async function originServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const CREATE = `mutation { createNodePool(input: { name: "from-a-page", clusterId: "d73a738f-fab3-430a-8fa3-5241493d7128", labelKey: "k", labelValue: "v" }) { __typename } }`;

/** From the page: a JSON POST of the mutation; 'blocked' when the browser refuses to send or read it. */
function postMutation(page: Page, gateway: string) {
  return page.evaluate(
    async ([url, query]) => {
      try {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
        return (await res.json()) as unknown;
      } catch {
        return 'blocked';
      }
    },
    [gateway, CREATE] as const,
  );
}

/** From the page: a graphql-ws connection; 'acknowledged' when the gateway accepts it. */
function openWebSocket(page: Page, gateway: string) {
  return page.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
        socket.onmessage = (event) => {
          resolve(JSON.parse(String(event.data)).type === 'connection_ack' ? 'acknowledged' : 'other');
          socket.close();
        };
        socket.onerror = () => resolve('refused');
        socket.onclose = () => resolve('refused');
      }),
    gateway,
  );
}

describe('pages of other origins', () => {
  let app: App;
  let gateway: string;
  let simulator: Simulator;
  let browser: Browser;
  let foreign: { url: string; server: Server };
  let listed: { url: string; server: Server };

  beforeAll(async () => {
    foreign = await originServer();
    listed = await originServer();
    // Demo mode: callers without a token act as the demo admin, the case a foreign page could abuse.
    app = buildApp(makeConfig({ logLevel: 'silent', corsOrigins: listed.url }));
    gateway = await app.start(0, '127.0.0.1');
    simulator = app.simulator as Simulator;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    for (const origin of [foreign, listed]) origin?.server.close();
  });

  async function pageAt(origin: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(origin);
    return page;
  }

  it('cannot run a mutation through the gateway', async () => {
    simulator.clearRequests();
    const page = await pageAt(foreign.url);
    expect(await postMutation(page, gateway)).toBe('blocked');
    expect(simulator.countRequests({ operation: 'create_nodepool' })).toBe(0);
  });

  it('cannot run a mutation with a forged form POST or a forged GET image (no CORS for either)', async () => {
    simulator.clearRequests();
    const page = await pageAt(foreign.url);
    // A form needs no preflight: only the CSRF rule stands between it and the demo credentials.
    const statuses: number[] = [];
    const record = (res: { url(): string; status(): number }) => {
      if (res.url().startsWith(`${gateway}/graphql`)) statuses.push(res.status());
    };
    page.on('response', record);
    await page.evaluate(
      ([url, query]) => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = `${url}/graphql`;
        form.enctype = 'application/x-www-form-urlencoded';
        const field = Object.assign(document.createElement('input'), { name: 'query', value: query });
        form.append(field);
        document.body.append(form);
        form.submit();
      },
      [gateway, CREATE] as const,
    );
    await expect.poll(() => statuses, { timeout: 10_000 }).toEqual([403]);
    // An image is a GET the browser sends with no header a page could add.
    const page2 = await pageAt(foreign.url);
    const sent: string[] = [];
    page2.on('request', (req) => {
      if (req.url().startsWith(`${gateway}/graphql`)) sent.push(req.method());
    });
    await page2.evaluate(
      ([url, query]) => {
        const image = new Image();
        image.src = `${url}/graphql?query=${encodeURIComponent(query)}`;
        document.body.append(image);
      },
      [gateway, '{ nodePools(first: 1) { edges { node { name } } } }'] as const,
    );
    // Chromium blocks the JSON answer of an image (ORB), so the page sees no status: the proof is that the
    // request went out and the gateway asked Run:ai nothing.
    await expect.poll(() => sent, { timeout: 10_000 }).toEqual(['GET']);
    await page2.waitForLoadState('networkidle');
    expect(simulator.requests).toEqual([]);
  });

  it('cannot open a subscription through the gateway', async () => {
    const page = await pageAt(foreign.url);
    expect(await openWebSocket(page, gateway)).toBe('refused');
  });

  it('a listed origin can do both', async () => {
    simulator.clearRequests();
    const page = await pageAt(listed.url);
    expect(await postMutation(page, gateway)).toEqual({
      data: { createNodePool: { __typename: 'CreateNodePoolPayload' } },
    });
    expect(simulator.countRequests({ operation: 'create_nodepool' })).toBe(1);
    expect(await openWebSocket(page, gateway)).toBe('acknowledged');
  });

  it("the gateway's own page can open a subscription", async () => {
    const page = await pageAt(gateway);
    expect(await openWebSocket(page, gateway)).toBe('acknowledged');
  });
});
