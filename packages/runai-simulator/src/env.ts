import type { SimulatorOptions, TokenEntry } from './types.js';

function parsePools(raw: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value)) throw new Error(`SIMULATOR_POOLS must be a non-negative integer, got '${raw}'`);
  const pools = Number(value);
  if (!Number.isSafeInteger(pools)) throw new Error(`SIMULATOR_POOLS is too large: '${raw}'`);
  return pools;
}

function parseTokens(raw: string): Record<string, TokenEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`SIMULATOR_TOKENS must be a JSON object, got invalid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      'SIMULATOR_TOKENS must be a JSON object of token → {"tenantId": number, "role": "admin"|"viewer"}',
    );
  }
  const tokens: Record<string, TokenEntry> = {};
  for (const [token, entry] of Object.entries(parsed)) {
    const e = entry as { tenantId?: unknown; role?: unknown } | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.tenantId !== 'number' ||
      !Number.isInteger(e.tenantId) ||
      (e.role !== 'admin' && e.role !== 'viewer')
    ) {
      throw new Error(
        `SIMULATOR_TOKENS: entry for token '${token}' must be {"tenantId": <integer>, "role": "admin"|"viewer"}`,
      );
    }
    tokens[token] = { tenantId: e.tenantId, role: e.role };
  }
  return tokens;
}

/**
 * Reads simulator options from the environment: SIMULATOR_POOLS (generated
 * pool count, 0 for the demo seed) and SIMULATOR_TOKENS (a JSON object token →
 * {tenantId, role}, replacing the default tokens). Invalid values throw an
 * Error naming the variable and what it expects.
 */
export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv): SimulatorOptions {
  const options: SimulatorOptions = {};
  const pools = env['SIMULATOR_POOLS'];
  if (pools !== undefined && pools.trim() !== '') options.pools = parsePools(pools);
  const tokens = env['SIMULATOR_TOKENS'];
  if (tokens !== undefined && tokens.trim() !== '') options.tokens = parseTokens(tokens);
  return options;
}
