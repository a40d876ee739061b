import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { createSimulator, SEED_CLUSTER_IDS } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';
import { onCleanup, useCleanupsAfterAll } from './helpers/cleanup.js';
import { eventually } from './helpers/eventually.js';
import { Collected, wsClient } from './helpers/live.js';

type LogLine = Record<string, unknown> & { msg?: string; worker?: number; role?: string };

const onCleanupAfterAll = useCleanupsAfterAll();

/**
 * Starts `src/main.ts` with WORKERS=2 on port 0 (cluster workers that listen
 * on port 0 share the one port the primary picked) and resolves once the
 * primary says every worker listens.
 */
async function startCluster(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, WORKERS: '2', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  onCleanupAfterAll(() => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      return exited;
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${JSON.stringify(lines)} ${stderr}`)), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      if (line.msg === 'ready' && typeof line['graphql'] === 'string') {
        clearTimeout(timer);
        resolve(line['graphql'].replace(/\/graphql$/, ''));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
  });
  return { child, url, lines };
}

/**
 * A GraphQL POST on a connection of its own: round-robin hands out
 * connections, not requests, so only fresh connections reach every worker.
 */
function post(
  url: string,
  query: string,
  {
    token = 'demo-admin',
    requestId,
    variables,
    headers = {},
  }: { token?: string; requestId?: string; variables?: object; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(requestId ? { 'x-request-id': requestId } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** The workers whose access log shows these request ids (logs are flushed within a second). */
async function workersServing(lines: LogLine[], ids: string[]): Promise<Set<unknown>> {
  return eventually(() => {
    const served = lines.filter((l) => l.msg === 'graphql operation' && ids.includes(String(l['requestId'])));
    expect(served).toHaveLength(ids.length);
    return new Set(served.map((l) => l.worker));
  });
}

describe('WORKERS=2 in demo mode', () => {
  let gateway: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    // A long interval: only a refresh signal can explain events arriving in time.
    gateway = await startCluster({ POLL_INTERVAL_MS: '60000' });
  });

  it('serves requests from both workers, each log line naming its worker', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `both-${i}`);
    for (const requestId of ids) {
      const { status, body } = await post(gateway.url, '{ nodePoolCount }', { requestId });
      expect(status).toBe(200);
      expect(body.data?.['nodePoolCount']).toBeGreaterThan(0);
    }
    expect(await workersServing(gateway.lines, ids)).toEqual(new Set([1, 2]));
    const listening = gateway.lines.filter((l) => l.msg === 'gateway listening');
    expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
  });

  it('starts one simulator for the machine: a pool created through one worker is counted by both', async () => {
    expect(gateway.lines.filter((l) => String(l.msg).startsWith('demo mode'))).toEqual([
      expect.objectContaining({ role: 'primary' }),
    ]);
    const before = (await post(gateway.url, '{ nodePoolCount }')).body.data?.['nodePoolCount'] as number;
    const created = await post(
      gateway.url,
      'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { __typename } }',
      {
        variables: {
          input: { name: 'one-sim', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
        },
      },
    );
    expect(created.body.data?.['createNodePool']).toEqual({ __typename: 'CreateNodePoolPayload' });
    const ids = Array.from({ length: 4 }, (_, i) => `count-${i}`);
    for (const requestId of ids) {
      expect((await post(gateway.url, '{ nodePoolCount }', { requestId })).body.data).toEqual({
        nodePoolCount: before + 1,
      });
    }
    expect(await workersServing(gateway.lines, ids)).toEqual(new Set([1, 2]));
  });

  it('shows subscribers on every worker a pool created through any one of them, from one poller for the machine, and /metrics covers both', async () => {
    // Two WebSocket connections: round-robin puts one on each worker.
    const subs = [0, 1].map(() => {
      const client = wsClient(gateway.url);
      onCleanup(() => client.dispose());
      const sub = new Collected(client);
      onCleanup(sub.unsubscribe);
      return sub;
    });
    // One scrape, answered by one worker, counts both workers' subscriptions and watchers.
    await eventually(async () => {
      expect(await metric(gateway.url, 'subscriptions_active')).toBe(2);
      expect(await metric(gateway.url, 'pollers_active')).toBe(2);
      // Both workers deliver the token's events; one of them polls Run:ai for the machine (the primary's lease).
      expect(await metric(gateway.url, 'live_leases_held')).toBe(1);
    });
    const created = await post(
      gateway.url,
      'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { runaiId } } } }',
      {
        variables: {
          input: { name: 'across-workers', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
        },
      },
    );
    const payload = created.body.data?.['createNodePool'] as { nodePool: { runaiId: string } } | undefined;
    const id = payload?.nodePool.runaiId;
    expect(id).toBeDefined();
    // Settled (Ready or Empty) after the simulator's 3 s, seen through the settle polls, not the 60 s interval.
    for (const sub of subs) {
      await sub.until(
        (c) => c.events.some((e) => e.nodePool?.runaiId === id && ['Ready', 'Empty'].includes(e.phase)),
        15_000,
      );
    }
  }, 30_000);

  it('replaces a worker that dies, with a log line', async () => {
    const started = gateway.lines.filter((l) => l.msg === 'worker started');
    const victim = started[0] as LogLine;
    process.kill(Number(victim['pid']), 'SIGKILL');
    await eventually(() => {
      expect(gateway.lines).toContainEqual(
        expect.objectContaining({ msg: 'a worker exited: starting a replacement', worker: victim.worker }),
      );
      expect(gateway.lines.filter((l) => l.msg === 'gateway listening')).toHaveLength(3);
    });
    for (let i = 0; i < 4; i++) expect((await post(gateway.url, '{ nodePoolCount }')).status).toBe(200);
  });
});

describe('WORKERS=2 in front of Run:ai', () => {
  const simulator = createSimulator();
  let gateway: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    const upstream = await simulator.start(0, '127.0.0.1');
    onCleanupAfterAll(() => simulator.stop());
    gateway = await startCluster({
      RUNAI_URL: upstream,
      RATE_LIMIT_PER_MINUTE: '5',
      TRUSTED_PROXIES: 'loopback',
    });
  });

  it('shares the rate limit between workers: N workers do not grant N times the budget', async () => {
    // A client behind the trusted proxy (loopback), named by X-Forwarded-For. Its token never reaches
    // Run:ai here, so it is never a caller of its own: every request is charged to that client address.
    const ids = Array.from({ length: 8 }, (_, i) => `limited-${i}`);
    const statuses: number[] = [];
    for (const requestId of ids) {
      statuses.push(
        (
          await post(gateway.url, '{ __typename }', {
            token: 'demo-viewer',
            requestId,
            headers: { 'x-forwarded-for': '203.0.113.7' },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const allowed = ids.slice(0, 5);
    expect(await workersServing(gateway.lines, allowed)).toEqual(new Set([1, 2]));
  });

  it('drains an in-flight request on SIGTERM, then exits 0 with every worker', async () => {
    simulator.faults.setLatency(1_500, { operation: 'count_nodepools' });
    const counted = simulator.countRequests({ operation: 'count_nodepools' });
    const inflight = post(gateway.url, '{ nodePoolCount }');
    // SIGTERM while Run:ai is still working on the request.
    await eventually(() =>
      expect(simulator.countRequests({ operation: 'count_nodepools' })).toBe(counted + 1),
    );
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');
    const { status, body } = await inflight;
    expect(status).toBe(200);
    expect(body.data?.['nodePoolCount']).toBeGreaterThan(0);
    const [code] = await exited;
    expect(code).toBe(0);
    await eventually(() => {
      expect(gateway.lines.filter((l) => l.msg === 'shutting down').map((l) => l.worker)).toHaveLength(2);
      expect(gateway.lines.some((l) => l.msg === 'waiting for in-flight requests')).toBe(true);
      expect(gateway.lines).toContainEqual(
        expect.objectContaining({ role: 'primary', msg: 'all workers stopped', exitCode: 0 }),
      );
    });
  });
});

describe('WORKERS=2 with the response cache', () => {
  const simulator = createSimulator();
  let gateway: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    const upstream = await simulator.start(0, '127.0.0.1');
    onCleanupAfterAll(() => simulator.stop());
    gateway = await startCluster({ RUNAI_URL: upstream, RESPONSE_CACHE_TTL_SECONDS: '60' });
  });

  it('reads your writes: after a mutation through one worker, every worker answers with the change', async () => {
    const read = '{ nodePool(id: "3") { labelValue } }';
    const patch = 'mutation($v: String) { patchNodePool(id: "3", input: { labelValue: $v }) { __typename } }';
    const ids: string[] = [];
    for (let round = 0; round < 4; round++) {
      // Both workers keep the old answer (each request on a connection of its own: round-robin).
      for (let i = 0; i < 4; i++) await post(gateway.url, read);
      const written = await post(gateway.url, patch, { variables: { v: `written-${round}` } });
      expect(written.body.errors).toBeUndefined();
      for (let i = 0; i < 4; i++) {
        const requestId = `read-${round}-${i}`;
        ids.push(requestId);
        const { body } = await post(gateway.url, read, { requestId });
        expect(body.data?.['nodePool']).toEqual({ labelValue: `written-${round}` });
      }
    }
    expect(await workersServing(gateway.lines, ids)).toEqual(new Set([1, 2]));
    // Each worker kept answers: some reads were hits.
    expect(await metric(gateway.url, 'response_cache_lookups_total{outcome="hit"}')).toBeGreaterThan(0);
  });

  it('refuses a token on every worker once one of them saw Run:ai refuse it: no kept answer reaches it', async () => {
    simulator.setToken('worker-token', { tenantId: 1001, role: 'viewer' });
    const read = '{ nodePool(id: "4") { name } }';
    // Both workers keep the answer for the token (round-robin: a connection each).
    for (let i = 0; i < 4; i++)
      expect((await post(gateway.url, read, { token: 'worker-token' })).status).toBe(200);
    simulator.setToken('worker-token', null);
    // One worker asks Run:ai and hears 401; the primary tells the other.
    const refused = await post(gateway.url, '{ nodePoolCount }', { token: 'worker-token' });
    expect(JSON.stringify(refused.body.errors)).toContain('UNAUTHENTICATED');
    const ids = Array.from({ length: 4 }, (_, i) => `revoked-${i}`);
    for (const requestId of ids) {
      const { status } = await post(gateway.url, read, { token: 'worker-token', requestId });
      expect(status).toBe(401);
    }
    expect(await workersServing(gateway.lines, ids)).toEqual(new Set([1, 2]));
  });
});

describe('the Kubernetes manifests', () => {
  const read = <T>(file: string): T =>
    parse(readFileSync(new URL(`../deploy/kubernetes/${file}`, import.meta.url), 'utf8')) as T;

  it('start as many workers as the CPU limit allows, since auto would count the node’s CPUs', () => {
    const configMap = read<{ data: Record<string, string> }>('configmap.yaml');
    const deployment = read<{
      spec: { template: { spec: { containers: { resources: { limits: { cpu: string } } }[] } } };
    }>('deployment.yaml');
    expect(configMap.data['WORKERS']).toBe(deployment.spec.template.spec.containers[0]?.resources.limits.cpu);
  });
});

describe('WORKERS', () => {
  it('is a positive integer or auto (one per CPU Node may run on), 1 by default', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ WORKERS: 'auto' }).workers).toBe(availableParallelism());
    for (const wrong of ['0', '-1', '1.5', 'all'])
      expect(() => loadConfig({ WORKERS: wrong })).toThrow(/WORKERS/);
  });
});
