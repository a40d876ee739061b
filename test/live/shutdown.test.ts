import { describe, expect, it } from 'vitest';
import { Collected, wsClient } from '../helpers/live.js';
import { startStack } from '../helpers/stack.js';

describe('clean shutdown', () => {
  it('completes the subscriptions, stops the pollers and closes the sockets', async () => {
    const stack = await startStack({ config: { logLevel: 'silent', pollIntervalMs: 500 } });
    const client = wsClient(stack.url);
    const subs = [new Collected(client), new Collected(client)];
    const deadline = Date.now() + 10_000;
    while (stack.app.live?.subscriptions !== 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(stack.app.live?.pollers).toBe(1);

    await stack.app.stop();
    for (const sub of subs) await sub.until((c) => c.done);
    expect(stack.app.live?.subscriptions).toBe(0);
    expect(stack.app.live?.pollers).toBe(0);
    const polls = stack.simulator.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(stack.simulator.requests.length).toBe(polls);
    await client.dispose();
    await stack.simulator.stop();
  });
});
