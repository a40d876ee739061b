import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createGateway } from './gateway.js';
import { LiveUpdates } from './live/live-updates.js';
import { createLogger, type Logger } from './logger.js';
import { Readiness } from './readiness.js';
import { schema } from './schema/index.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator/index.js';
import { UpstreamHttp } from './upstream/http.js';
import { attachWebSocket } from './websocket.js';

/** The token the gateway uses in demo mode for callers who send none. */
export const DEMO_TOKEN = 'demo-admin';

export interface AppOptions {
  /** Logger to use (tests pass one that captures lines). */
  log?: Logger;
  /** Options of the embedded simulator, in demo mode. */
  simulator?: SimulatorOptions;
  /** Polls that follow a mutation until the pool settles (ms); tests shorten them. */
  settleDelaysMs?: readonly number[];
}

export interface App {
  /** Starts listening; resolves the base URL (e.g. `http://127.0.0.1:4000`). */
  start(port?: number, host?: string): Promise<string>;
  /** Closes the server, its sockets, the upstream pools and the embedded simulator. */
  stop(): Promise<void>;
  /** Base URL once started. */
  readonly url: string;
  /** The embedded simulator in demo mode, undefined otherwise. */
  readonly simulator: Simulator | undefined;
  /** The live layer (subscriptions), once started. */
  readonly live: LiveUpdates | undefined;
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Builds the gateway: one node:http server for `/graphql` (yoga), `/healthz`
 * and `/readyz`. With no `runaiUrl`, it embeds the Run:ai simulator (demo
 * mode) and uses its demo admin token for callers who send none.
 */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const log = options.log ?? createLogger(config.logLevel);
  const demo = config.runaiUrl === undefined;
  const simulator = demo
    ? createSimulator({ pools: config.simulatorPools, ...options.simulator })
    : undefined;
  let http: UpstreamHttp | undefined;
  let server: Server | undefined;
  let live: LiveUpdates | undefined;
  let websocket: ReturnType<typeof attachWebSocket> | undefined;
  let url: string | undefined;

  async function start(port = config.port, host = config.host): Promise<string> {
    const baseUrl = simulator ? await simulator.start(0, '127.0.0.1') : (config.runaiUrl as string);
    let readiness: Readiness | undefined;
    const upstream = new UpstreamHttp({
      baseUrl,
      connectTimeoutMs: config.upstreamConnectTimeoutMs,
      headersTimeoutMs: config.upstreamHeadersTimeoutMs,
      totalTimeoutMs: config.upstreamTotalTimeoutMs,
      maxRetries: config.upstreamMaxRetries,
      connections: config.upstreamConnections,
      logger: log,
      onCall: (event) => {
        if (typeof event.status === 'number') readiness?.markAnswered();
      },
    });
    http = upstream;
    readiness = new Readiness(upstream);
    const ready = readiness;
    live = new LiveUpdates({
      http: upstream,
      intervalMs: config.pollIntervalMs,
      ...(options.settleDelaysMs ? { settleDelaysMs: options.settleDelaysMs } : {}),
      warn: (obj, msg) => log.warn(obj, msg),
    });
    const yoga = createGateway(schema, config, {
      http: upstream,
      log,
      fallbackToken: demo ? DEMO_TOKEN : undefined,
      loaderOptions: { metricsConcurrency: config.metricsConcurrency },
      live,
    });

    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') return sendText(res, 200, 'ok\n');
      if (path === '/readyz') {
        void ready
          .isReady()
          .then((ok) => sendText(res, ok ? 200 : 503, ok ? 'ready\n' : 'upstream not answering\n'));
        return;
      }
      if (path === '/graphql') return void yoga.handle(req, res);
      sendText(res, 404, 'not found: try /graphql\n');
    });
    websocket = attachWebSocket(server, yoga, {
      path: '/graphql',
      connectionInitWaitTimeoutMs: config.wsConnectionInitTimeoutMs,
      maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
      allowAnonymous: demo,
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, host, () => {
        listening.off('error', reject);
        resolve();
      });
    });
    const address = listening.address() as AddressInfo;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
    log.info({ url, upstream: demo ? 'embedded simulator' : baseUrl }, 'gateway listening');
    return url;
  }

  async function stop(): Promise<void> {
    // Subscriptions complete first, so clients see a clean end before their sockets close.
    live?.stop();
    await websocket?.close();
    websocket = undefined;
    const closing = server;
    server = undefined;
    if (closing) {
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeAllConnections();
      });
    }
    await http?.close();
    http = undefined;
    await simulator?.stop();
  }

  return {
    start,
    stop,
    get url() {
      if (!url) throw new Error('the gateway is not started');
      return url;
    },
    simulator,
    get live() {
      return live;
    },
  };
}
