import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../helpers/eventually.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Findings 7 and 10 of the third security round, over graphql-ws: messages
 * had no size cap (three 48 MB `connection_init` messages were acked and
 * kept), and an operation's Run:ai calls went on after its socket was gone
 * (288 of 480 calls started after the socket was destroyed).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { pools: 60 }, config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.faults.reset();
  stack.simulator.clearRequests();
});

/** A raw graphql-transport-ws socket, open. */
async function open(): Promise<WebSocket> {
  const socket = new WebSocket(`${stack.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** How the server closed the socket. */
function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

function acked(socket: WebSocket): Promise<void> {
  return new Promise((resolve) =>
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve();
    }),
  );
}

describe('WebSocket messages are capped', () => {
  it('closes a connection that sends a message larger than maxBodyBytes (1009), before reading it whole', async () => {
    const socket = await open();
    const end = closed(socket);
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: 'Bearer demo-admin', pad: 'x'.repeat(1_048_576) },
      }),
    );
    expect((await end).code).toBe(1009);
  });

  it('refuses a connection_init payload over 16 KiB (4400), though under the message cap', async () => {
    const socket = await open();
    const end = closed(socket);
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: 'Bearer demo-admin', pad: 'x'.repeat(100_000) },
      }),
    );
    expect(await end).toEqual({ code: 4400, reason: 'connection_init payload too large' });
  });

  it('acknowledges an ordinary connection_init', async () => {
    const socket = await open();
    const ack = acked(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-admin' } }));
    await ack;
    socket.close();
  });
});

describe('a WebSocket operation stops calling Run:ai when its socket goes away', () => {
  it('makes no metrics call after the socket is destroyed while its pages load', async () => {
    stack.simulator.faults.setLatency(300, { operation: 'get_nodepools' });
    const socket = await open();
    const ack = acked(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer demo-admin' } }));
    await ack;
    // Eight pages of different sizes: eight list calls (identical ones would share one), then 8 × ~50 metrics.
    for (let i = 0; i < 8; i++) {
      const dashboard = `{ nodePools(first: ${50 + i}) { edges { node { name metrics(types: [GPU_UTILIZATION]) { series { type } } } } } }`;
      socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: dashboard } }));
    }
    // The eight list calls are at Run:ai; the socket goes before they answer.
    await eventually(() =>
      expect(stack.simulator.requests.filter((r) => r.operation === 'get_nodepools')).toHaveLength(8),
    );
    socket.terminate();
    // The lists answer after 300 ms; no metrics call may follow.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics')).toHaveLength(0);
  });
});
