import { describe, expect, it } from 'vitest';
import { envName, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('maps keys to SCREAMING_SNAKE environment variables', () => {
    expect(envName('pollIntervalMs')).toBe('POLL_INTERVAL_MS');
    expect(envName('runaiUrl')).toBe('RUNAI_URL');
  });

  it('reads the environment, applies defaults and ignores empty values', () => {
    const config = loadConfig({ PORT: '8080', RUNAI_URL: 'https://acme.run.ai', POLL_INTERVAL_MS: '' });
    expect(config.port).toBe(8080);
    expect(config.runaiUrl).toBe('https://acme.run.ai');
    expect(config.pollIntervalMs).toBe(5000);
    expect(config.upstreamMaxRetries).toBe(2);
  });

  it('names every invalid variable in one error', () => {
    expect(() => loadConfig({ PORT: 'eighty', POLL_INTERVAL_MS: '100' })).toThrow(
      /PORT[\s\S]*POLL_INTERVAL_MS/,
    );
  });
});
