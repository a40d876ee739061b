import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

/** graphql.config.yml: what editors' GraphQL tooling (graphql-config) reads. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const config = parseYaml(readFileSync(join(ROOT, 'graphql.config.yml'), 'utf8')) as Record<string, unknown>;

/** A glob as graphql-config reads it (`**`, `*`, `?`, `{a,b}`), as a RegExp on repository-relative paths. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      source += '(?:';
      braces++;
    } else if (c === '}' && braces > 0) {
      source += ')';
      braces--;
    } else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The repository's files, outside installed, built and generated folders. */
function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return /^(node_modules|dist|\.git|test-results)$/.test(e.name) ? [] : walk(path);
    return e.isFile() ? [path] : [];
  });
}
const files = walk('');

const globs = (key: string): string[] => {
  const value = config[key];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
};
const matching = (key: string): string[] =>
  files.filter((file) => globs(key).some((glob) => globToRegExp(glob).test(file))).sort();

describe('graphql.config.yml', () => {
  it('holds only keys graphql-config knows, with a schema and documents', () => {
    const known = ['schema', 'documents', 'include', 'exclude', 'extensions', 'projects'];
    expect(Object.keys(config).filter((key) => !known.includes(key))).toEqual([]);
    expect(globs('schema').length).toBeGreaterThan(0);
    expect(globs('documents').length).toBeGreaterThan(0);
  });

  it('names the printed schema', () => {
    expect(matching('schema')).toEqual(['schema.graphql']);
  });

  it('covers every GraphQL document of the repository, and each is valid against the schema', () => {
    const documents = matching('documents');
    expect(documents.length).toBeGreaterThan(0);
    // The printed schemas (standalone, and the federation subgraph's) are schemas, not documents.
    const printed = ['schema.graphql', 'subgraph.graphql'];
    const everyDocument = files.filter((f) => /\.(graphql|gql)$/.test(f) && !printed.includes(f)).sort();
    expect(documents).toEqual(everyDocument);
    const schema = buildSchema(readFileSync(join(ROOT, 'schema.graphql'), 'utf8'));
    for (const file of documents) {
      const errors = validate(schema, parse(readFileSync(join(ROOT, file), 'utf8')));
      expect(errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    }
  });

  it('reads globs as graphql-config does', () => {
    expect(globToRegExp('test/documents/**/*.graphql').test('test/documents/dashboard.graphql')).toBe(true);
    expect(globToRegExp('test/documents/**/*.graphql').test('test/documents/a/b.graphql')).toBe(true);
    expect(globToRegExp('test/*.graphql').test('test/documents/a.graphql')).toBe(false);
    expect(globToRegExp('src/**/*.{ts,graphql}').test('src/a/b.ts')).toBe(true);
    expect(globToRegExp('schema.graphql').test('schemaXgraphql')).toBe(false);
  });
});
