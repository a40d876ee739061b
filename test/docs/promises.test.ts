import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envName, makeConfig, SETTING_KEYS, TUNING_KEYS } from '../../src/config.js';
import { ERROR_STATUS } from '../../src/domain/errors.js';

/**
 * Promises match tests. Each promise of SECURITY.md ("What the gateway
 * promises") and of the promise sections of docs/operations.md ("Upstream
 * resilience", "Limits and abuse") names the test that proves it, as
 * `file` › "title"; every such reference, anywhere in those documents,
 * names a test file that exists and holds a test of that title. And the
 * reference tables list every setting and every error code.
 */

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** A proof: a test file and (the start of) a test title in it. */
const PROOF = /`(test\/[\w./-]+\.test\.ts)` › "([^"]+)"/g;

/** The bullets of a section: each top-level `- ` line with the lines that continue it. */
function bulletsOf(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const level = heading.split(' ')[0] as string;
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  const body = end < 0 ? rest : rest.slice(0, end);
  const bullets: string[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('- ')) bullets.push(line);
    else if (line.startsWith('  ') && bullets.length > 0) bullets[bullets.length - 1] += ` ${line.trim()}`;
  }
  return bullets;
}

function proofsIn(text: string): { file: string; title: string }[] {
  const flat = text.replace(/\s+/g, ' ');
  return [...flat.matchAll(PROOF)].map((m) => ({ file: m[1] as string, title: m[2] as string }));
}

/**
 * Words that make a sentence promise a bound: a limit, a budget, a refusal, something that never happens or
 * happens only so.
 */
const BOUND =
  /\b(at most|bounded|capped|caps|limits?|budgets?|never|no more than|refused|refuses|refuse|within|past it|only once|only to|only when|only from|only while|at once|expires?)\b/i;

/** The sentences of a bullet, as its text flows (a sentence ends at `.`, `!` or `?` before a capital). */
const sentencesOf = (bullet: string) => bullet.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z`*(])/);

/**
 * The sentences of a section that promise a bound without naming a test: neither the sentence itself nor
 * the `Proof:` sentence right after it names one.
 */
function unprovedBounds(markdown: string, heading: string): string[] {
  const unproved: string[] = [];
  for (const bullet of bulletsOf(markdown, heading)) {
    const sentences = sentencesOf(bullet);
    sentences.forEach((sentence, i) => {
      if (sentence.startsWith('Proof:') || !BOUND.test(sentence) || proofsIn(sentence).length > 0) return;
      const next = sentences[i + 1] ?? '';
      if (!next.startsWith('Proof:') || proofsIn(next).length === 0) unproved.push(sentence);
    });
  }
  return unproved;
}

const PROMISE_SECTIONS: [string, string][] = [
  ['SECURITY.md', '## What the gateway promises'],
  ['docs/operations.md', '## Upstream resilience'],
  ['docs/operations.md', '## Limits and abuse'],
];

describe('promises and the tests that prove them', () => {
  it.each(PROMISE_SECTIONS)('every promise of %s "%s" names a test', (file, heading) => {
    const bullets = bulletsOf(read(file), heading);
    expect(bullets.length).toBeGreaterThan(3);
    for (const bullet of bullets) {
      expect(proofsIn(bullet), `no proof for: ${bullet.slice(0, 120)}`).not.toEqual([]);
    }
  });

  it('every sentence of SECURITY.md that promises a bound names its test, in itself or in the Proof after it', () => {
    expect(unprovedBounds(read('SECURITY.md'), '## What the gateway promises')).toEqual([]);
  });

  it.each(['SECURITY.md', 'docs/operations.md', 'docs/api.md', 'README.md'])(
    'every proof named in %s is a test that exists',
    (file) => {
      for (const { file: testFile, title } of proofsIn(read(file))) {
        expect(existsSync(new URL(testFile, ROOT)), `${testFile} does not exist`).toBe(true);
        const source = read(testFile);
        expect(source.includes(title), `${testFile} has no test "${title}"`).toBe(true);
      }
    },
  );
});

describe('reference tables', () => {
  it('docs/configuration.md lists every setting, and every tuning knob with the default the code has', () => {
    const doc = read('docs/configuration.md');
    const knobsAt = doc.indexOf('## Tune (advanced)');
    const settings = doc.slice(0, knobsAt);
    for (const key of SETTING_KEYS) expect(settings, envName(key)).toContain(`\`${envName(key)}\``);
    const defaults = makeConfig() as Record<string, unknown>;
    for (const key of TUNING_KEYS) {
      const row = doc
        .slice(knobsAt)
        .split('\n')
        .find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      const value = defaults[key];
      // Knobs whose default depends on the deployment (NODE_ENV, REDIS_URL) say so in words.
      if (typeof value === 'number') expect(row, key).toContain(`| \`${value}\` |`);
    }
  });

  it('the README lists every error code with its HTTP status', () => {
    const readme = read('README.md');
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(readme, code).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'));
    }
  });
});
