// Lints API documents with the tools outside clients use: OpenAPI with Redocly CLI (recommended rules,
// redocly.yaml), AsyncAPI with the AsyncAPI parser (the validator inside @asyncapi/cli, without the
// CLI's 440 MB). Prints each problem on one line, then one summary line per document; exits 1 when any
// document has an error. The kind of each document is read from its first key (openapi: / asyncapi:).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const here = path.dirname(fileURLToPath(import.meta.url));

function lintOpenApi(file) {
  const run = spawnSync(process.execPath, [path.join(here, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file,
    '--config', path.join(here, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000'],
  { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    // not a lint result (the document could not be read, or the tool failed): show what it said
    process.stdout.write(run.stdout + run.stderr);
    return { errors: 1, warnings: 0 };
  }
  for (const problem of report.problems) {
    const at = problem.location[0] ?? {};
    console.log(`${file}:${at.start?.line ?? '?'}:${at.start?.col ?? '?'} ${problem.severity === 'error' ? 'error' : 'warning'}`
      + ` ${problem.ruleId}: ${problem.message} (at ${at.pointer ?? '#'})`);
  }
  return { errors: report.totals.errors, warnings: report.totals.warnings, tool: `@redocly/cli ${report.version}` };
}

async function lintAsyncApi(file) {
  const diagnostics = await fromFile(new Parser(), file).validate();
  const level = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning' };
  for (const d of diagnostics) {
    const line = d.range ? `${d.range.start.line + 1}:${d.range.start.character + 1}` : '?:?';
    console.log(`${file}:${line} ${level[d.severity] ?? 'info'} ${d.code}: ${d.message} (at ${d.path.join('.') || '/'})`);
  }
  const count = (severity) => diagnostics.filter((d) => d.severity === severity).length;
  return { errors: count(DiagnosticSeverity.Error), warnings: count(DiagnosticSeverity.Warning), tool: '@asyncapi/parser' };
}

let failed = false;
for (const file of process.argv.slice(2).map((arg) => path.relative(process.cwd(), arg) || arg)) {
  const kind = /^(openapi|asyncapi):/m.exec(readFileSync(file, 'utf8'))?.[1];
  const result = kind === 'openapi' ? lintOpenApi(file) : kind === 'asyncapi' ? await lintAsyncApi(file)
    : { errors: 1, warnings: 0, tool: 'neither an openapi: nor an asyncapi: document' };
  failed ||= result.errors > 0;
  console.log(`API-LINT ${path.basename(file)}: ${result.errors} errors, ${result.warnings} warnings (${result.tool})`);
}
process.exit(failed ? 1 : 0);
