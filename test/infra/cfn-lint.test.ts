/**
 * Every template `infra synth` writes passes cfn-lint (PyPI `cfn-lint`, AWS's CloudFormation linter: resource types,
 * property names and types, intrinsic functions, IAM policy shape) with zero errors; warnings are printed. For
 * config/local.yaml and for config/examples/production.yaml (three Regions, two accounts, a protect configuration with
 * country rules of all four modes in each account × Region its one-time passwords send from).
 *
 * Needs cfn-lint: $CFN_LINT_PATH, else .tools/venv/bin/cfn-lint (scripts/ensure-tools.sh installs the pinned version
 * there), else `cfn-lint` on PATH. Without it the test is skipped with a warning - except under CI, where it fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { synthesize } from '../../src/infra/synth';
import { findRepoRoot } from '../../src/tools/temporal-cli';

const root = findRepoRoot(__dirname);

function findCfnLint(): string | undefined {
  const candidates = [process.env.CFN_LINT_PATH, path.join(root, '.tools', 'venv', 'bin', 'cfn-lint'), 'cfn-lint'];
  return candidates.find((c) => c && spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0);
}

const cfnLint = findCfnLint();
if (!cfnLint && process.env.CI) {
  throw new Error('cfn-lint not found: CI must lint the generated templates (run scripts/ensure-tools.sh)');
}
if (!cfnLint) console.warn('[cfn-lint] cfn-lint not found: skipping (scripts/ensure-tools.sh installs it)');
const describeIfLint = cfnLint ? describe : describe.skip;

interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/** Writes the templates of `file` to a new folder and lints them all; returns the files and the findings. */
function synthAndLint(file: string): { files: string[]; findings: Finding[] } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-infra-'));
  try {
    const { templates } = synthesize(loadConfig(path.join(root, file)));
    const files = templates.map((t) => {
      const f = path.join(out, t.fileName);
      fs.writeFileSync(f, JSON.stringify(t.template, null, 2));
      return f;
    });
    const r = spawnSync(cfnLint!, ['--format', 'json', '--', ...files], { encoding: 'utf8', timeout: 120_000 });
    if (r.error) throw r.error;
    // Exit codes: 0 clean, 2 errors, 4 warnings, 8 informational, or their sums; anything else is cfn-lint failing.
    if (r.status === null || r.status % 2 === 1 || r.status > 14) {
      throw new Error(`cfn-lint exited ${r.status}: ${r.stderr}`);
    }
    const findings = JSON.parse(r.stdout || '[]') as Finding[];
    return { files: files.map((f) => path.basename(f)), findings };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function errorsOf(findings: Finding[]): string[] {
  for (const w of findings.filter((f) => f.Level !== 'Error')) {
    console.warn(`[cfn-lint] ${path.basename(w.Filename)} ${w.Rule.Id} ${w.Location.Path.join('.')}: ${w.Message}`);
  }
  return findings
    .filter((f) => f.Level === 'Error')
    .map((f) => `${path.basename(f.Filename)} ${f.Rule.Id} ${f.Location.Path.join('.')}: ${f.Message}`);
}

describeIfLint('cfn-lint on the templates of infra synth', () => {
  it('config/local.yaml: three templates, zero errors', () => {
    const { files, findings } = synthAndLint('config/local.yaml');
    expect(files.sort()).toEqual(['primary-us-east-1.json', 'primary-us-west-2.json', 'secondary-us-east-1.json']);
    expect(errorsOf(findings)).toEqual([]);
  });

  it('config/examples/production.yaml: five templates over three Regions and two accounts, zero errors', () => {
    // Each template has the protect configuration of the one-time passwords (ALLOW, BLOCK, MONITOR and FILTER rules).
    const protect = synthesize(loadConfig(path.join(root, 'config/examples/production.yaml'))).templates.map(
      (t) => Object.values(t.template.Resources).filter((r) => r.Type === 'AWS::SMSVOICE::ProtectConfiguration').length,
    );
    expect(protect).toEqual([1, 1, 1, 1, 1]);
    const { files, findings } = synthAndLint('config/examples/production.yaml');
    expect(files).toHaveLength(5);
    expect(new Set(files.map((f) => f.replace(/^(primary|secondary)-/, '')))).toEqual(
      new Set(['us-east-1.json', 'us-west-2.json', 'eu-west-2.json']),
    );
    expect(errorsOf(findings)).toEqual([]);
  });

  it('the linter finds a property End User Messaging does not have (the check can fail)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-infra-'));
    try {
      const { templates } = synthesize(loadConfig(path.join(root, 'config/local.yaml')));
      const t = templates[0].template;
      const set = Object.values(t.Resources).find((r) => r.Type === 'AWS::SMSVOICE::ConfigurationSet')!;
      set.Properties.EventDestination = set.Properties.EventDestinations!; // singular: not a property
      const f = path.join(out, 'bad.json');
      fs.writeFileSync(f, JSON.stringify(t));
      const r = spawnSync(cfnLint!, ['--format', 'json', '--', f], { encoding: 'utf8' });
      expect(errorsOf(JSON.parse(r.stdout) as Finding[]).join('\n')).toContain("'EventDestination' was unexpected");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
