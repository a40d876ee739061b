import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, legacyKnobs, loadConfig, makeConfig, SETTING_KEYS, TUNING_KEYS } from '../src/config.js';
import { UPSTREAM_DEFAULTS } from '../src/upstream/http.js';

describe('configuration', () => {
  it('maps keys to SCREAMING_SNAKE environment variables', () => {
    expect(envName('pollIntervalMs')).toBe('POLL_INTERVAL_MS');
    expect(envName('runaiUrl')).toBe('RUNAI_URL');
  });

  it('asks a deployment for at most 25 environment variables: the settings and TUNING', () => {
    expect(SETTING_KEYS.length + 1).toBeLessThanOrEqual(25);
    // No name is both a setting and a knob.
    expect(SETTING_KEYS.filter((key) => (TUNING_KEYS as string[]).includes(key))).toEqual([]);
  });

  it('reads the environment, applies defaults and ignores empty values', () => {
    const config = loadConfig({ PORT: '8080', RUNAI_URL: 'https://acme.run.ai', POLL_INTERVAL_MS: '' });
    expect(config.port).toBe(8080);
    expect(config.runaiUrl).toBe('https://acme.run.ai');
    expect(config.pollIntervalMs).toBe(5000);
    // A knob's default is the constant of the code that uses it.
    expect(config.upstreamMaxRetries).toBe(UPSTREAM_DEFAULTS.maxRetries);
  });

  it('names every invalid variable in one error', () => {
    expect(() => loadConfig({ PORT: 'eighty', POLL_INTERVAL_MS: '100' })).toThrow(
      /PORT[\s\S]*POLL_INTERVAL_MS/,
    );
  });
});

describe('TUNING', () => {
  it('overrides knobs from a JSON object', () => {
    const config = loadConfig({ TUNING: '{"maxUpstreamCalls": 300, "upstreamMaxRetries": 0}' });
    expect(config.maxUpstreamCalls).toBe(300);
    expect(config.upstreamMaxRetries).toBe(0);
    expect(config.maxCost).toBe(makeConfig().maxCost);
  });

  it('reads the object from a file when given a path (a mounted ConfigMap key)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tuning-')), 'tuning.json');
    writeFileSync(file, JSON.stringify({ liveLogLength: 5, hideFieldSuggestions: true }));
    const config = loadConfig({ TUNING: file });
    expect(config.liveLogLength).toBe(5);
    expect(config.hideFieldSuggestions).toBe(true);
  });

  it('stops the start on a name that is no knob, a setting, a value out of range, or broken JSON', () => {
    expect(() => loadConfig({ TUNING: '{"maxUpstreamCall": 300}' })).toThrow(
      /TUNING\.maxUpstreamCall: no such knob \(did you mean maxUpstreamCalls\?\)/,
    );
    expect(() => loadConfig({ TUNING: '{"colour": 1}' })).toThrow(/TUNING\.colour: no such knob \(docs/);
    expect(() => loadConfig({ TUNING: '{"port": 80}' })).toThrow(
      /TUNING\.port: a setting, not a knob: set PORT/,
    );
    expect(() => loadConfig({ TUNING: '{"upstreamMaxRetries": 9}' })).toThrow(/TUNING\.upstreamMaxRetries/);
    expect(() => loadConfig({ TUNING: '{"maxCost": ' })).toThrow(/TUNING: not valid JSON/);
    expect(() => loadConfig({ TUNING: '[1]' })).toThrow(/TUNING: .*JSON object/);
    expect(() => loadConfig({ TUNING: '/nowhere/tuning.json' })).toThrow(
      /TUNING: cannot read \/nowhere\/tuning.json \(ENOENT\)/,
    );
  });

  it('still honours a knob set the old way, one variable each, and names it for the start-up warning', () => {
    const env = { UPSTREAM_MAX_RETRIES: '1', MAX_UPSTREAM_CALLS: '250' };
    const config = loadConfig(env);
    expect(config.upstreamMaxRetries).toBe(1);
    expect(config.maxUpstreamCalls).toBe(250);
    expect(legacyKnobs(env).sort()).toEqual(['MAX_UPSTREAM_CALLS', 'UPSTREAM_MAX_RETRIES']);
    expect(legacyKnobs({ PORT: '1', TUNING: '{}' })).toEqual([]);
    // TUNING wins when both set a knob.
    expect(loadConfig({ ...env, TUNING: '{"maxUpstreamCalls": 300}' }).maxUpstreamCalls).toBe(300);
  });
});
