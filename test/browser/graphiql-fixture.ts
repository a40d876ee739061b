/**
 * Shared set-up of the GraphiQL browser tests (graphiql-*.test.ts): the gateway in demo mode (its
 * embedded simulator) and a headless Chromium for the file, a fresh offline browser context per test.
 *
 * Needs Debian's Chromium: `apt-get install chromium` (never `npx playwright install`).
 */

import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { Simulator } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import {
  clickRun,
  graphqlResponse,
  launchChromium,
  offlineContext,
  openGraphiQL,
  type PoolRow,
} from './graphiql-page.js';

/** Waits that span a poll of a subscription's watcher (pollIntervalMs 500) or a Run:ai round trip. */
export const LIVE = { timeout: 15_000 };
export const TENANT_1002_HEADERS = '{"Authorization": "Bearer demo-admin-2"}';

/** A subscription to one pool's phase changes, as typed in the operation editor. */
export function watchPool(runaiId: string): string {
  return `subscription { nodePoolPhaseChanged(filter: { ids: ["${runaiId}"] }) { previousPhase phase nodePool { name clusterName } } }`;
}

/** What the result pane shows for one phase change of `row` (each event replaces the one before). */
export function phaseEvent(previousPhase: string, phase: string, row: PoolRow) {
  return {
    data: {
      nodePoolPhaseChanged: {
        previousPhase,
        phase,
        nodePool: { name: row.name, clusterName: row.clusterName },
      },
    },
    // Where the change feed would resume after this event (docs/api.md, "Resuming after a lost connection").
    extensions: { cursor: expect.stringMatching(/^[A-Za-z0-9._-]+$/) },
  };
}

export interface GraphiQLFixture {
  readonly app: App;
  readonly url: string;
  readonly simulator: Simulator;
  readonly browser: Browser;
  /**
   * A fresh browser context for this test (GraphiQL keeps tabs and headers in localStorage), closed after
   * it; `outside` records what it tried to fetch off the machine.
   */
  newContext(viewport?: {
    width: number;
    height: number;
  }): Promise<{ context: BrowserContext; outside: Set<string> }>;
  /** Opens GraphiQL at the gateway in a fresh context, with `query` in the operation editor when given. */
  open(
    query?: string,
    viewport?: { width: number; height: number },
  ): Promise<{ page: Page; pageErrors: string[]; response: Response | null; outside: Set<string> }>;
  /** Runs the subscription in the editor from the Run button; resolves once its watcher has its first snapshot. */
  startSubscription(page: Page, token: string): Promise<Response>;
}

/** The hooks of a GraphiQL test file. */
export function useGraphiQL(): GraphiQLFixture {
  let started: { app: App; url: string; simulator: Simulator; browser: Browser } | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    const app = buildApp(makeConfig({ logLevel: 'silent', pollIntervalMs: 500 }));
    const url = await app.start(0, '127.0.0.1');
    started = { app, url, simulator: app.simulator as Simulator, browser: await launchChromium() };
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    // Closing the page ends its subscriptions, and with them the watchers that poll Run:ai.
    await expect.poll(() => started?.app.live?.subscriptions, LIVE).toBe(0);
  });

  afterAll(async () => {
    await started?.browser.close();
    await started?.app.stop();
  });

  const running = () => {
    if (!started) throw new Error('the gateway and the browser start in beforeAll');
    return started;
  };
  const fixture: GraphiQLFixture = {
    get app() {
      return running().app;
    },
    get url() {
      return running().url;
    },
    get simulator() {
      return running().simulator;
    },
    get browser() {
      return running().browser;
    },
    async newContext(viewport) {
      const fresh = await offlineContext(running().browser, viewport);
      context = fresh.context;
      return fresh;
    },
    async open(query, viewport) {
      const { context: opened, outside } = await fixture.newContext(viewport);
      return { ...(await openGraphiQL(opened, running().url, query)), outside };
    },
    async startSubscription(page, token) {
      const { app, url } = running();
      const stream = graphqlResponse(page, url, 'GET', 'nodePoolPhaseChanged');
      await clickRun(page);
      const opened = await stream;
      // A refused stream has a body worth showing (an open one never ends: do not read it).
      expect(opened.status(), opened.status() === 200 ? '' : await opened.text()).toBe(200);
      expect(opened.headers()['content-type']).toMatch(/^text\/event-stream/);
      await expect.poll(() => app.live?.subscriptions, LIVE).toBe(1);
      // Changes are measured against the watcher's first snapshot: change a phase only once it is taken.
      await app.live?.ready(token);
      return opened;
    },
  };
  return fixture;
}
