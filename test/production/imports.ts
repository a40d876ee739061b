/**
 * The module specifiers compiled JavaScript imports, read with TypeScript's parser (not a regular expression,
 * so comments and strings never count), and what each bare one names in a package.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface ImportSite {
  /** The file, relative to the folder scanned. */
  file: string;
  line: number;
  /** The specifier as written, or `undefined` for `import(expression)`, which no scan can follow. */
  specifier: string | undefined;
  kind: 'import' | 'export' | 'dynamic import' | 'require';
}

/** Every `import … from`, `import '…'`, `export … from`, `import(…)` and `require(…)` in `source`. */
export function importsOf(source: string, file: string): ImportSite[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, kind: ImportSite['kind'], arg: ts.Node | undefined) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    sites.push({ file, line, kind, specifier: arg && ts.isStringLiteralLike(arg) ? arg.text : undefined });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, 'import', node.moduleSpecifier);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node, 'export', node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node, 'dynamic import', node.arguments[0]);
    else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require'
    )
      add(node, 'require', node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

/** The JavaScript files under `dir` (`.js`, `.mjs`, `.cjs`), as paths relative to it. */
export function javascriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.[cm]?js$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Every import site of every JavaScript file under `dir`. */
export function scanFolder(dir: string): ImportSite[] {
  return javascriptFiles(dir).flatMap((file) => importsOf(readFileSync(join(dir, file), 'utf8'), file));
}

/** Relative paths and package `imports` (`#…`) stay inside the package; the rest name another package. */
export const isBare = (specifier: string): boolean =>
  !/^(\.{1,2}\/|\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub/path` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

export interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export type Verdict =
  | 'internal'
  | 'builtin'
  | 'workspace'
  | 'dependency'
  | 'devDependency'
  | 'undeclared'
  | 'unknown';

/**
 * What a specifier reaches at run time, seen from `pkg`: a file of the package itself, a Node.js builtin, a
 * workspace package, one of `pkg`'s dependencies (all fine), or one of its devDependencies, a package it does not declare, or an
 * expression no scan can follow (all failures: a production install has none of them, or may not).
 */
export function verdict(specifier: string | undefined, pkg: PackageJson, workspaces: string[]): Verdict {
  if (specifier === undefined) return 'unknown';
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return 'builtin';
  if (!isBare(specifier)) return 'internal';
  const name = packageName(specifier);
  if (pkg.dependencies?.[name] !== undefined) return 'dependency';
  if (workspaces.includes(name)) return 'workspace';
  if (pkg.devDependencies?.[name] !== undefined) return 'devDependency';
  return 'undeclared';
}
