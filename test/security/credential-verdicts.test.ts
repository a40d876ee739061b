import { describe, expect, it } from 'vitest';
import { BELIEF_WINDOW_MS, CredentialVerdicts } from '../../src/upstream/credential-verdicts.js';
import type { VerdictSharing } from '../../src/upstream/verdict-sharing.js';

/** A deployment of processes sharing verdicts in memory, as Redis does between replicas. */
function deployment() {
  const accepted = new Map<string, number>();
  const listeners: ((scope: string) => void)[] = [];
  const shared = { accepted, published: 0 };
  const sharing = (): VerdictSharing => ({
    accepted: (scope, at) => {
      accepted.set(scope, at);
      shared.published++;
    },
    acceptedAt: async (scope) => accepted.get(scope),
    refused: (scope) => {
      accepted.delete(scope);
      for (const listener of listeners) listener(scope);
    },
    onRefused: (handler) => {
      listeners.push(handler);
    },
    close: async () => {},
  });
  return { shared, sharing };
}

describe('what the deployment believes of a token', () => {
  it('believes a token Run:ai accepted within the window, in any process, and not after it', async () => {
    let now = 1_000_000;
    const { sharing } = deployment();
    const here = new CredentialVerdicts({ now: () => now, sharing: sharing() });
    const there = new CredentialVerdicts({ now: () => now, sharing: sharing() });
    expect(await there.believes('scope-a')).toBe(false);
    here.observe('scope-a', 200);
    expect(await here.believes('scope-a')).toBe(true);
    expect(await there.believes('scope-a')).toBe(true);
    now += BELIEF_WINDOW_MS;
    expect(await here.believes('scope-a')).toBe(false);
    expect(await there.believes('scope-a')).toBe(false);
    // The rate limit's verdict does not expire: the token stays a caller of its own.
    expect(here.isAccepted('scope-a')).toBe(true);
  });

  it('stops believing a token everywhere once one process saw Run:ai refuse it', async () => {
    const { sharing } = deployment();
    const here = new CredentialVerdicts({ sharing: sharing() });
    const there = new CredentialVerdicts({ sharing: sharing() });
    here.observe('scope-b', 200);
    there.observe('scope-b', 200);
    here.observe('scope-b', 401);
    expect([await here.believes('scope-b'), await there.believes('scope-b')]).toEqual([false, false]);
    expect([here.isRefused('scope-b'), there.isRefused('scope-b')]).toEqual([true, true]);
    expect(there.isAccepted('scope-b')).toBe(false);
  });

  it('tells the deployment of an acceptance once in a quarter window, not at every call', () => {
    let now = 0;
    const { shared, sharing } = deployment();
    const verdicts = new CredentialVerdicts({ now: () => now, sharing: sharing() });
    for (let i = 0; i < 1_000; i++) {
      verdicts.observe('scope-c', 200);
      now += 10;
    }
    // 10 s of calls, a quarter window is 7.5 s: told twice.
    expect(shared.published).toBe(2);
  });
});
