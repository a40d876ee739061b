import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METRIC_TYPES } from '../../src/upstream/models.js';
import { type GatewayProcess, gatewayOnSimulator } from '../helpers/gateway-process.js';

/**
 * Finding 6 of the third security round: subscribers that stop reading made
 * the gateway's memory grow without bound (5 WebSockets × 100 subscriptions
 * of 14,000 samples each: 160 MB to 805 MB RSS in 8 s). Queues are bounded
 * in bytes per subscriber and per caller, events written out stay counted
 * until the next is asked for, so RSS levels off.
 */

let stack: Awaited<ReturnType<typeof gatewayOnSimulator>>;
let gateway: GatewayProcess;
beforeAll(async () => {
  stack = await gatewayOnSimulator({
    TUNING: '{"metricsPollIntervalMs":1000}',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    // A worker's heap in the 512 MiB pod of deploy/kubernetes (two workers): V8 collects before it grows past it.
    NODE_OPTIONS: '--max-old-space-size=160',
  });
  gateway = stack.gateway;
});
afterAll(() => stack?.stop());

/** The gateway process's resident memory, in MB. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1]) / 1024;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

const EVERY_SAMPLE = `subscription { nodePoolMetrics(id: "2", types: [${METRIC_TYPES.join(', ')}], window: { samples: 1000 }) { series { type samples { timestamp value raw } } } }`;

/** A graphql-ws connection that subscribes `count` times, then stops reading its socket. */
async function stuckConnection(url: string, count: number): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-admin' } }));
  await new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve();
    }),
  );
  for (let i = 0; i < count; i++) {
    socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: EVERY_SAMPLE } }));
  }
  // Stop reading: the gateway's writes pile up in the kernel, then in its own buffers.
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return socket;
}

describe('subscribers that stop reading', () => {
  it('hold a bounded number of bytes: RSS levels off with 5 stuck connections × 100 subscriptions of 14,000 samples', async () => {
    const pid = gateway.child.pid as number;
    const before = rssMb(pid);
    const sockets = await Promise.all(Array.from({ length: 5 }, () => stuckConnection(gateway.url, 100)));
    const samples: number[] = [];
    for (let second = 0; second < 8; second++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      samples.push(rssMb(pid));
    }
    const queued = await metric('live_queued_bytes');
    if (process.env['SHOW_RSS']) console.log('RSS', before, samples, queued);
    for (const socket of sockets) socket.terminate();
    expect(gateway.alive).toBe(true);
    // Bytes held for the caller's slow subscribers stay within its budget (16 MiB by default).
    expect(queued).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(
      Math.max(...samples) - before,
      `RSS in MB: ${before.toFixed(0)} → ${samples.map((s) => s.toFixed(0)).join(', ')}`,
    ).toBeLessThan(250);
  }, 60_000);
});
