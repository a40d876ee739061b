/**
 * `npm run soak -- --minutes N`: steady mixed load for N minutes (default 30),
 * reporting the resident memory of the gateway and of the simulator, each in
 * its own process, once a minute. Not part of CI.
 *
 * Load: queries from three tokens at concurrency 16 (single pools, pages,
 * counts, a small dashboard with metrics), 200 graphql-ws subscribers of
 * which 20 leave and 20 join every 5 s, and a create/delete loop.
 *
 * Verdict: memory levels off when its growth over the last third of the run
 * stays under 2% of its level in the first third.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Child, startGateway, startSimulator } from './lib/processes.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');

const TOKENS = ['demo-admin', 'demo-viewer', 'demo-admin-2'];
const QUERIES = [
  '{ nodePool(id: "2") { id name phase clusterName } }',
  '{ nodePools(first: 10) { totalCount edges { node { id name phase status { nodes } } } } }',
  '{ nodePoolCount(filter: { phase: { eq: Ready } }) }',
  `{ nodePools(first: 5) { edges { node { name gpu: metrics(types: [GPU_UTILIZATION], window: { samples: 10 }) { series { latest { value } } }
     alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU]) { series { type latest { value } } } } } } }`,
];
const CLUSTER = 'd73a738f-fab3-430a-8fa3-5241493d7128';

/** Resident memory of a process, in MB, from /proc. */
function rssMb(child: Child): number {
  const status = readFileSync(`/proc/${child.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

async function post(url: string, query: string, token: string, variables?: object): Promise<boolean> {
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    return res.ok && !body.errors;
  } catch {
    return false;
  }
}

const simulator = await startSimulator(0);
const gateway = await startGateway(simulator.url, { POLL_INTERVAL_MS: '1000', LOG_LEVEL: 'warn' });
const deadline = Date.now() + minutes * 60_000;
const counts = { queries: 0, failedQueries: 0, mutations: 0, joined: 0, left: 0 };
let running = true;

async function queryLoop(): Promise<void> {
  while (running) {
    counts.queries++;
    if (!(await post(gateway.url, pick(QUERIES), pick(TOKENS)))) counts.failedQueries++;
  }
}

async function mutationLoop(): Promise<void> {
  for (let n = 0; running; n++) {
    const name = `soak-${n}`;
    const created = await post(
      gateway.url,
      'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { id } } } }',
      'demo-admin',
      { input: { name, clusterId: CLUSTER, labelKey: 'soak', labelValue: name } },
    );
    counts.mutations++;
    const pools = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body: JSON.stringify({
        query: `{ nodePools(filter: { name: { eq: "${name}" } }) { edges { node { id } } } }`,
      }),
    }).then((r) => r.json() as Promise<{ data?: { nodePools?: { edges: { node: { id: string } }[] } } }>);
    const id = pools.data?.nodePools?.edges[0]?.node.id;
    if (created && id)
      await post(gateway.url, `mutation { deleteNodePool(id: "${id}") { __typename } }`, 'demo-admin');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** One graphql-ws subscriber of one token, returning its way out. */
function subscribe(): () => Promise<void> {
  const client: Client = createClient({
    url: `${gateway.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${pick(TOKENS)}` },
  });
  const stop = client.subscribe(
    { query: 'subscription { nodePoolPhaseChanged { nodePoolId phase } }' },
    { next: () => {}, error: () => {}, complete: () => {} },
  );
  counts.joined++;
  return async () => {
    stop();
    await client.dispose();
    counts.left++;
  };
}

const subscribers = Array.from({ length: 200 }, subscribe);
const churn = setInterval(() => {
  for (const leave of subscribers.splice(0, 20)) void leave();
  for (let i = 0; i < 20; i++) subscribers.push(subscribe());
}, 5_000);

const samples: { minute: number; gateway: number; simulator: number }[] = [];
const sample = () => {
  const point = {
    minute: Math.round((minutes * 60_000 - (deadline - Date.now())) / 6_000) / 10,
    gateway: Math.round(rssMb(gateway)),
    simulator: Math.round(rssMb(simulator)),
  };
  samples.push(point);
  console.log(
    `${String(point.minute).padStart(5)} min  gateway ${point.gateway} MB  simulator ${point.simulator} MB  ` +
      `queries ${counts.queries} (${counts.failedQueries} failed)  mutations ${counts.mutations}  subscribers joined ${counts.joined}`,
  );
};
sample();
const sampler = setInterval(sample, 60_000);
const loops = [...Array.from({ length: 16 }, queryLoop), mutationLoop()];
await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
sample();
running = false;
clearInterval(sampler);
clearInterval(churn);
await Promise.all(loops);
await Promise.all(subscribers.splice(0).map((leave) => leave()));
await gateway.stop();
await simulator.stop();

/**
 * Growth over the last third, as a share of the first third's level. Samples
 * swing with each collection, so each end of the last third is the mean of
 * its half, not one sample; the idle sample before the load is left out.
 */
function verdict(series: number[]): { firstThird: number; lastThirdGrowth: number; share: number } {
  const loaded = series.slice(1);
  const third = Math.max(2, Math.floor(loaded.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const last = loaded.slice(-third);
  const half = Math.floor(last.length / 2);
  const firstThird = mean(loaded.slice(0, third));
  const lastThirdGrowth = Math.round((mean(last.slice(half)) - mean(last.slice(0, half))) * 10) / 10;
  return { firstThird, lastThirdGrowth, share: lastThirdGrowth / firstThird };
}
for (const who of ['gateway', 'simulator'] as const) {
  const v = verdict(samples.map((s) => s[who]));
  const held = v.share < 0.02;
  console.log(
    `${held ? 'levels off' : 'STILL GROWS'}  ${who}: first third ${v.firstThird.toFixed(0)} MB, ` +
      `growth over the last third ${v.lastThirdGrowth} MB (${(v.share * 100).toFixed(1)}%)`,
  );
}
console.log(`queries ${counts.queries} (${counts.failedQueries} failed), mutations ${counts.mutations}`);
