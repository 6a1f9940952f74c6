/**
 * `resilient-sms config check [--config F] [--json]`: reads a config and prints what AWS or the escalation article
 * would object to (src/config/check.ts), each finding with its severity and the field's path. Exits non-zero
 * (CONFIG_ERRORS_EXIT_CODE) when there is an error; warnings alone exit 0.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkConfigSource, type ConfigFinding } from '../config/check';
import type { Environment } from '../config/environment';
import { parseConfigSource } from '../config/load';
import { configPathOf, globalsOf } from './connect';

/** `config check` found at least one error. */
export const CONFIG_ERRORS_EXIT_CODE = 2;

/** Thrown (after the report is printed) so that main exits with CONFIG_ERRORS_EXIT_CODE. */
export class ConfigErrorsFound extends Error {
  readonly exitCode = CONFIG_ERRORS_EXIT_CODE;
}

function formatFinding(f: ConfigFinding): string {
  return `${f.severity.padEnd(7)} ${f.path}: ${f.message} [${f.rule}]`;
}

/** Runs the check of the file at `path`; returns the findings and prints them. */
export function runConfigCheck(path: string, json: boolean, out: (line: string) => void): ConfigFinding[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`);
  }
  const findings = checkConfigSource(parseConfigSource(text, path));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (json) {
    out(JSON.stringify({ config: path, errors, warnings, findings }, null, 2));
  } else {
    for (const f of findings) out(formatFinding(f));
    out(`${path}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return findings;
}

export function addConfigCommands(program: Command, env: Environment): void {
  program
    .command('config')
    .description('work with the config file')
    .command('check')
    .description('report what AWS or the escalation article would object to in the config (exit 2 on errors)')
    .option('--json', 'print the findings as JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const findings = runConfigCheck(configPathOf(globalsOf(cmd), env), o.json === true, (l) => console.log(l));
      if (findings.some((f) => f.severity === 'error')) throw new ConfigErrorsFound('the config has errors');
    });
}
