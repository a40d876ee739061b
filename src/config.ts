/**
 * The gateway's configuration: the deployment settings (app/settings.ts),
 * one environment variable each, and the tuning knobs (app/tuning.ts),
 * overridden together through TUNING. Read and checked once, at start.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { settingsShape } from './app/settings.js';
import { tuningShape } from './app/tuning.js';

/** The deployment settings' names, as in code (each is an environment variable: {@link envName}). */
export const SETTING_KEYS = Object.keys(settingsShape) as (keyof typeof settingsShape)[];
/** The tuning knobs' names, as TUNING spells them. */
export const TUNING_KEYS = Object.keys(tuningShape) as (keyof typeof tuningShape)[];

/** The one environment variable of the tuning knobs. */
export const TUNING_ENV = 'TUNING';

/** Every setting and knob, flat: what the gateway's parts read, and what {@link makeConfig} accepts. */
export const configSchema = z
  .object({ ...settingsShape, ...tuningShape })
  .refine((c) => !c.persistedOnly || c.persistedDocuments !== undefined, {
    message: 'PERSISTED_ONLY needs PERSISTED_DOCUMENTS, the manifest of the documents that may run',
    path: ['persistedOnly'],
  })
  .refine((c) => c.responseCacheStore !== 'redis' || c.redisUrl !== undefined, {
    message: 'responseCacheStore "redis" needs REDIS_URL',
    path: ['responseCacheStore'],
  })
  .refine((c) => (c.runaiClientId === undefined) === (c.runaiClientSecret === undefined), {
    message: 'set both RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or neither',
    path: ['runaiClientId'],
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The address to listen on: HOST, else all interfaces, or loopback in demo mode (which acts as an admin). */
export function listenHost(config: Config): string {
  return config.host ?? (config.runaiUrl === undefined ? '127.0.0.1' : '0.0.0.0');
}

/** Whether the gateway acts on credentials callers did not send: demo mode or service credentials. */
export function actsOnAmbientCredentials(config: Config): boolean {
  return config.runaiUrl === undefined || config.runaiClientId !== undefined;
}

/** Maps a config key to its environment variable: `pollIntervalMs` → `POLL_INTERVAL_MS`. */
export function envName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const isSetting = (key: string): boolean => (SETTING_KEYS as string[]).includes(key);
const isKnob = (key: string): boolean => (TUNING_KEYS as string[]).includes(key);

/** Where a wrong value came from, for the start-up error. */
function sourceOf(key: string): string {
  return isSetting(key) ? envName(key) : `${TUNING_ENV}.${key}`;
}

/** The knob a misspelt name most likely meant, as a hint; else where the knobs are listed. */
function suggestion(name: string): string {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length] ?? 0;
  };
  const lower = name.toLowerCase();
  const [best] = TUNING_KEYS.map((key) => ({ key, d: distance(lower, key.toLowerCase()) })).sort(
    (x, y) => x.d - y.d,
  );
  return best && best.d <= 3 ? ` (did you mean ${best.key}?)` : ' (docs/configuration.md lists them)';
}

/**
 * TUNING's overrides: a JSON object (the value starts as JSON does), or the path
 * of a file holding one. Problems (unreadable, not an object, a name that is
 * no knob) go to `problems`.
 */
function tuningOverrides(value: string | undefined, problems: string[]): Record<string, unknown> {
  if (value === undefined || value.trim() === '') return {};
  let text = value;
  if (!/^[{["]/.test(value.trim())) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      problems.push(
        `${TUNING_ENV}: cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return {};
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${TUNING_ENV}: not valid JSON`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${TUNING_ENV}: must be a JSON object of knob names and values`);
    return {};
  }
  for (const key of Object.keys(parsed)) {
    if (isSetting(key)) problems.push(`${TUNING_ENV}.${key}: a setting, not a knob: set ${envName(key)}`);
    else if (!isKnob(key)) problems.push(`${TUNING_ENV}.${key}: no such knob${suggestion(key)}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The tuning knobs set the way earlier versions read them, one environment
 * variable each (`UPSTREAM_MAX_RETRIES`): still honoured, unless TUNING sets
 * the same knob, and named here so that the start-up log can ask to move them.
 */
export function legacyKnobs(env: NodeJS.ProcessEnv = process.env): string[] {
  return TUNING_KEYS.map(envName).filter((name) => env[name] !== undefined && env[name] !== '');
}

/**
 * Reads the configuration from environment variables and validates it: the
 * deployment settings, then TUNING. Empty variables count as unset. Throws a
 * readable error naming every variable (or knob) that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of [...SETTING_KEYS, ...TUNING_KEYS]) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const problems: string[] = [];
  const tuning = tuningOverrides(env[TUNING_ENV], problems);
  const parsed = configSchema.safeParse({ ...raw, ...tuning, ...overrides });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${sourceOf(String(issue.path[0] ?? ''))}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** Builds a complete config from partial settings, without reading the environment (tests, embedding). */
export function makeConfig(overrides: ConfigInput = {}): Config {
  return loadConfig({}, overrides);
}

/**
 * Where the gateway posts its traces (OTLP over HTTP), as the OpenTelemetry SDK would build it from the
 * same variables; undefined when tracing is off.
 */
export function tracesUrl(config: Config): string | undefined {
  if (config.otelSdkDisabled) return undefined;
  if (config.otelExporterOtlpTracesEndpoint) return config.otelExporterOtlpTracesEndpoint;
  if (!config.otelExporterOtlpEndpoint) return undefined;
  return `${config.otelExporterOtlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
}
