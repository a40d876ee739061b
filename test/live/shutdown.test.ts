import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { Collected, wsClient } from '../helpers/live.js';
import { startStack } from '../helpers/stack.js';

describe('clean shutdown', () => {
  it('completes the subscriptions, stops the pollers and closes the sockets', async () => {
    const stack = await startStack({ config: { logLevel: 'silent', pollIntervalMs: 500 } });
    const client = wsClient(stack.url);
    const subs = [new Collected(client), new Collected(client)];
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(2));
    expect(stack.app.live?.topicCounts.list).toBe(1);

    await stack.app.stop();
    for (const sub of subs) await sub.until((c) => c.done);
    expect(stack.app.live?.subscriptions).toBe(0);
    expect(stack.app.live?.topicCounts.list).toBe(0);
    // That a stopped watcher lists no more, however long one waits, is shown on fake timers in
    // watcher-timers.test.ts: here the upstream pool is closed, so a leftover poll could not reach Run:ai.
    await client.dispose();
    await stack.simulator.stop();
  });
});
