import { simulatorOptionsFromEnv } from 'runai-simulator';
import { describe, expect, it } from 'vitest';

describe('simulator: simulatorOptionsFromEnv', () => {
  it('reads nothing from an empty environment', () => {
    expect(simulatorOptionsFromEnv({})).toEqual({});
  });

  it('reads SIMULATOR_POOLS and SIMULATOR_TOKENS', () => {
    const options = simulatorOptionsFromEnv({
      SIMULATOR_POOLS: '500',
      SIMULATOR_TOKENS: '{"t1":{"tenantId":7,"role":"viewer"}}',
    });
    expect(options).toEqual({ pools: 500, tokens: { t1: { tenantId: 7, role: 'viewer' } } });
  });

  it('throws readable errors for invalid values', () => {
    expect(() => simulatorOptionsFromEnv({ SIMULATOR_POOLS: 'many' })).toThrow(/SIMULATOR_POOLS/);
    expect(() => simulatorOptionsFromEnv({ SIMULATOR_POOLS: '-1' })).toThrow(/SIMULATOR_POOLS/);
    expect(() => simulatorOptionsFromEnv({ SIMULATOR_TOKENS: '{' })).toThrow(/SIMULATOR_TOKENS.*JSON/);
    expect(() => simulatorOptionsFromEnv({ SIMULATOR_TOKENS: '[]' })).toThrow(/SIMULATOR_TOKENS/);
    expect(() => simulatorOptionsFromEnv({ SIMULATOR_TOKENS: '{"t":{"tenantId":1,"role":"root"}}' })).toThrow(
      /'t'/,
    );
  });
});
