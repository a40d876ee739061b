import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, buildApp } from '../../src/app/app.js';
import { type ConfigInput, listenHost, makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';

/**
 * Finding 11 of the third security round: DNS rebinding worked in demo mode.
 * A page on a domain rebound to the gateway's address is same-origin to the
 * browser, so CORS and the Origin check let it through; it created a pool
 * and read data over WebSocket as the demo admin. Where the gateway acts on
 * ambient credentials, a request is now answered only when its Host names
 * the gateway: a loopback name or one of ALLOWED_HOSTS.
 */

const apps: App[] = [];
afterAll(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

async function gateway(config: ConfigInput): Promise<{ app: App; port: number }> {
  const app = buildApp(makeConfig({ logLevel: 'silent', ...config }), { log: createLogger('silent') });
  apps.push(app);
  const url = await app.start(0, '127.0.0.1');
  return { app, port: Number(new URL(url).port) };
}

/** A mutation as a rebound page would send it: no token (the demo admin's), and the page's own Host. */
function createPool(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(
      JSON.stringify({
        query:
          'mutation { createNodePool(input: { name: "rebound", clusterId: "d73a738f-fab3-430a-8fa3-5241493d7128", labelKey: "k", labelValue: "v" }) { __typename } }',
      }),
    );
  });
}

function upgrade(port: number, host: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', {
      headers: { host, origin: `http://${host}` },
    });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

describe('the Host check (DNS rebinding)', () => {
  it('refuses a rebound Host in demo mode, over HTTP and WebSocket, and changes nothing', async () => {
    const { app, port } = await gateway({});
    const refused = await createPool(port, `rebound.attacker.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).errors[0].extensions).toEqual({
      code: 'FORBIDDEN',
      http: { status: 403 },
    });
    expect(await upgrade(port, `rebound.attacker.example:${port}`)).toBe(403);
    expect(app.simulator?.requests.filter((r) => r.operation === 'create_nodepool')).toHaveLength(0);
    // The gateway's own loopback names are answered.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`]) {
      expect(await upgrade(port, host)).toBe('open');
    }
    expect((await createPool(port, `localhost:${port}`)).status).toBe(200);
  });

  it('answers the hosts of ALLOWED_HOSTS, and probes from anywhere', async () => {
    const { port } = await gateway({ allowedHosts: 'gateway.internal, Other.Example' });
    expect(await upgrade(port, `gateway.internal:${port}`)).toBe('open');
    expect(await upgrade(port, 'other.example')).toBe('open');
    expect(await upgrade(port, `evil.example:${port}`)).toBe(403);
    const probe = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { host: '10.1.2.3:4000' } });
    expect(probe.status).toBe(200);
  });

  it('checks the Host with service credentials too, but not when every caller brings its own token', async () => {
    const sim = await gateway({});
    const runaiUrl = sim.app.simulator?.url as string;
    const service = await gateway({
      runaiUrl,
      runaiClientId: 'demo-client',
      runaiClientSecret: 'demo-secret',
    });
    expect(await upgrade(service.port, 'rebound.example')).toBe(403);
    const plain = await gateway({ runaiUrl });
    expect(await upgrade(plain.port, 'gateway.example.com')).toBe('open');
  });

  it('listens on loopback in demo mode unless HOST says otherwise', () => {
    expect(listenHost(makeConfig({}))).toBe('127.0.0.1');
    expect(listenHost(makeConfig({ host: '0.0.0.0' }))).toBe('0.0.0.0');
    expect(listenHost(makeConfig({ runaiUrl: 'https://acme.run.ai' }))).toBe('0.0.0.0');
  });
});
