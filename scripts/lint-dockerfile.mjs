#!/usr/bin/env node
/**
 * `npm run lint:docker`: lints Dockerfiles with dockerfile-utils (rcjsuen's validator behind the VS Code
 * Docker language server): syntax, unknown instructions and flags, argument counts, ports, durations,
 * signals, JSON forms, stage names. Its CLI (`dockerfile-utils lint`) exits 0 on warnings; here every
 * finding fails, and the rules that are warnings by default are raised to errors.
 *
 * Usage: node scripts/lint-dockerfile.mjs [Dockerfile…]
 */
import { readFileSync } from 'node:fs';
import { ValidationSeverity, validate } from 'dockerfile-utils';

/** Every configurable rule at error. To ignore one, set it to IGNORE here with a comment saying why. */
const settings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const files = process.argv.slice(2);
if (files.length === 0) files.push('Dockerfile');
let findings = 0;
for (const file of files) {
  for (const d of validate(readFileSync(file, 'utf8'), settings)) {
    findings++;
    const { line, character } = d.range.start;
    // LSP's DiagnosticSeverity: 1 error, 2 warning.
    const severity = d.severity === 1 ? 'error' : 'warning';
    console.error(`${file}:${line + 1}:${character + 1}: ${severity}: ${d.message}`);
  }
}
if (findings > 0) {
  console.error(`${findings} finding(s) in ${files.join(', ')}`);
  process.exit(1);
}
console.log(`${files.join(', ')}: no findings (dockerfile-utils)`);
