import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { gatewayOnSimulator } from '../helpers/gateway-process.js';

/**
 * The tuning knobs as an operator meets them at start: TUNING read by the
 * real entry point, a knob still set the old way honoured and named in one
 * warning, and a TUNING the gateway cannot use stopping the start.
 */
describe('tuning at start', () => {
  it('honours a knob set the old way, and says once to move it into TUNING', async () => {
    // A call budget of one set the old way, three aliases through TUNING: both apply.
    const stack = await gatewayOnSimulator({ MAX_UPSTREAM_CALLS: '1', TUNING: '{"maxAliases": 3}' });
    onCleanup(() => stack.stop());
    const warnings = stack.gateway.lines.filter((line) =>
      String(line['msg']).startsWith('tuning knobs set as environment variables'),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['variables']).toEqual(['MAX_UPSTREAM_CALLS']);

    const ask = async (query: string) =>
      (await (
        await fetch(`${stack.gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
          body: JSON.stringify({ query }),
        })
      ).json()) as { errors?: { message: string; extensions: { code: string } }[] };
    // Two calls predicted: past the old-way budget of one.
    const budget = await ask('{ a: nodePool(id: "1") { name } b: nodePool(id: "2") { name } }');
    expect(budget.errors?.[0]?.extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(budget.errors?.[0]?.message).toMatch(/call budget of 1 /);
    // Four aliases: past TUNING's three.
    const aliases = await ask(
      '{ a: nodePool(id: "1") { name } b: nodePool(id: "2") { name } c: nodePool(id: "3") { name } d: nodePool(id: "4") { name } }',
    );
    expect(aliases.errors?.[0]?.extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(aliases.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('does not start on a TUNING naming no knob, and says which', () => {
    const run = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '0', TUNING: '{"maxUpstreamCall": 300}' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('TUNING.maxUpstreamCall: no such knob');
  });
});
