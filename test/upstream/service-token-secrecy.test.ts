import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SECRET, useServiceTokens } from './service-token-fixture.js';
import { upstreamError } from './support.js';

const t = useServiceTokens();

describe('ServiceTokenSource: credentials stay secret', () => {
  it('never reveals the secret or a token in logs or when inspected', async () => {
    const src = t.source();
    const tokens = [await src.getToken()];
    src.invalidate();
    tokens.push(await src.getToken());
    await upstreamError(t.source({ clientSecret: 'wrong-secret-value' }).getToken());
    t.nextTokenResponse({ accessToken: 'leaky-opaque-token' });
    src.invalidate();
    tokens.push(await src.getToken());

    expect(t.logLines.length).toBeGreaterThan(0);
    expect(t.logLines).toContainEqual(expect.stringContaining('"expiresInS":120'));
    for (const secret of [SECRET, 'wrong-secret-value', ...tokens]) {
      for (const line of t.logLines) expect(line).not.toContain(secret);
      expect(inspect(src, { depth: 5 })).not.toContain(secret);
      expect(JSON.stringify(src)).not.toContain(secret);
    }
  });

  it.each([
    ['an empty client secret', { clientSecret: '' }],
    ['an empty client id', { clientId: '' }],
    ['a negative refreshBeforeMs', { refreshBeforeMs: -1 }],
  ])('refuses %s at construction', (_case, overrides) => {
    expect(() => t.source(overrides)).toThrow(TypeError);
  });
});
