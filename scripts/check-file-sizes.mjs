#!/usr/bin/env node
/**
 * Part of `npm run lint`: no hand-written source file of the gateway or the
 * simulator over 300 lines. Generated files say so in their first lines
 * (openapi-typescript, graphql-codegen) and are left out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_LINES = 300;
const files = execFileSync('git', [
  'ls-files',
  '--cached',
  '--others',
  '--exclude-standard',
  'src',
  'packages/*/src',
])
  .toString()
  .split('\n')
  .filter((file) => /\.(ts|mts|tsx)$/.test(file) && !file.endsWith('.d.ts'));
const tooLong = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed but deleted in the work tree
  }
  if (/generated/i.test(text.split('\n', 3).join('\n'))) continue;
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES) tooLong.push(`${file}: ${lines} lines`);
}
if (tooLong.length > 0) {
  console.error(
    `Hand-written files over ${MAX_LINES} lines (split them along what they hold):\n  ${tooLong.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`${files.length} source files, none over ${MAX_LINES} lines.`);
