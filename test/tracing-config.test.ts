/**
 * When tracing is on, and that off it costs nothing: no OpenTelemetry SDK module is loaded (checked in a
 * child process, against the same check with tracing on).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeConfig, tracesUrl } from '../src/config.js';
import { startReceiver } from './helpers/otlp-receiver.js';

describe('tracing configuration', () => {
  it('is off without an OTLP endpoint, and when OTEL_SDK_DISABLED is set', () => {
    expect(tracesUrl(makeConfig())).toBeUndefined();
    expect(tracesUrl(makeConfig({ otelExporterOtlpEndpoint: 'http://collector:4318/' }))).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrl(
        makeConfig({
          otelExporterOtlpEndpoint: 'http://collector:4318',
          otelExporterOtlpTracesEndpoint: 'http://traces:4318/custom',
        }),
      ),
    ).toBe('http://traces:4318/custom');
    expect(
      tracesUrl(makeConfig({ otelExporterOtlpEndpoint: 'http://collector:4318', otelSdkDisabled: true })),
    ).toBeUndefined();
  });

  /** Runs test/helpers/tracing-child.ts (a gateway serving one query) and returns what it printed. */
  async function runChild(env: Record<string, string>): Promise<{ loaded: string[] }> {
    const {
      OTEL_EXPORTER_OTLP_ENDPOINT: _,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: __,
      ...inherited
    } = process.env;
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', 'test/helpers/tracing-child.ts'],
      { env: { ...inherited, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    return JSON.parse(out.trim().split('\n').at(-1) as string) as { loaded: string[] };
  }

  it('without an endpoint loads no OpenTelemetry SDK module and sends nothing', async () => {
    const receiver = await startReceiver();
    try {
      const off = await runChild({});
      // prom-client (the /metrics registry) requires @opentelemetry/api for its exemplars, whatever we do.
      expect(off.loaded).toEqual(['@opentelemetry/api']);
      // The same check sees the modules when tracing is on, so the empty list above means something.
      const on = await runChild({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      expect(on.loaded).toEqual(
        expect.arrayContaining(['@opentelemetry/api', '@opentelemetry/sdk-trace-base']),
      );
      // Only the run with tracing on exported (stop() flushes): one trace, the off run none.
      const traceIds = new Set(receiver.spans().map((span) => span.traceId));
      expect(traceIds.size).toBe(1);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
