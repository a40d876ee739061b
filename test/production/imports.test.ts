/** The import scan of the production-install test, on sources made up for it. */
import { describe, expect, it } from 'vitest';
import { importsOf, type PackageJson, verdict } from './imports.js';

describe('the import scan', () => {
  const pkg: PackageJson = {
    name: 'app',
    dependencies: { graphql: '^16', '@pothos/core': '^4' },
    devDependencies: { vitest: '^4', '@types/node': '^20' },
  };

  it('finds static, re-exported, dynamic and require imports, and no text in comments or strings', () => {
    const source = [
      "import { a } from 'graphql';",
      "import '@pothos/core/side-effect';",
      "export { b } from './local.js';",
      "export * from 'vitest/config';",
      "const c = await import('undeclared-pkg');",
      'const d = await import(name);',
      "const e = require('node:fs');",
      "// import x from 'in-a-comment';",
      'const s = "import y from \'in-a-string\'";',
    ].join('\n');
    expect(importsOf(source, 'x.js').map((s) => [s.kind, s.specifier, s.line])).toEqual([
      ['import', 'graphql', 1],
      ['import', '@pothos/core/side-effect', 2],
      ['export', './local.js', 3],
      ['export', 'vitest/config', 4],
      ['dynamic import', 'undeclared-pkg', 5],
      ['dynamic import', undefined, 6],
      ['require', 'node:fs', 7],
    ]);
  });

  it('accepts builtins, dependencies and workspace packages, and refuses devDependencies and the rest', () => {
    const judge = (s: string | undefined) => verdict(s, pkg, ['runai-simulator']);
    expect(judge('node:fs')).toBe('builtin');
    expect(judge('fs/promises')).toBe('builtin');
    expect(judge('./x.js')).toBe('internal');
    expect(judge('@pothos/core/dist/x.js')).toBe('dependency');
    expect(judge('runai-simulator')).toBe('workspace');
    expect(judge('vitest/config')).toBe('devDependency');
    expect(judge('@types/node')).toBe('devDependency');
    expect(judge('graphql-jit')).toBe('undeclared');
    expect(judge(undefined)).toBe('unknown');
  });
});
