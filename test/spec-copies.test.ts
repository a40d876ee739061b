import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The gateway builds from `spec/nodepools-openapi.json`; the simulator package
 * (a separate product) carries its own copy, which it validates requests
 * against and generates its types from. The two must stay the same document.
 */
describe('OpenAPI spec copies', () => {
  it("the simulator package's copy is identical to the gateway's (copy it over, then `npm run codegen`)", () => {
    const gateway = readFileSync(new URL('../spec/nodepools-openapi.json', import.meta.url), 'utf8');
    const simulator = readFileSync(
      new URL('../packages/runai-simulator/spec/nodepools-openapi.json', import.meta.url),
      'utf8',
    );
    expect(simulator, 'packages/runai-simulator/spec/nodepools-openapi.json').toBe(gateway);
  });
});
