/**
 * `resilient-sms infra synth --out DIR`: writes one CloudFormation template per account × Region of the config
 * (src/infra/synth.ts) and prints each file with what to deploy it with; warnings go to stderr. docs/infra.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Environment } from '../config/environment';
import { loadConfig } from '../config/load';
import { synthesize } from '../infra/synth';
import { configPathOf, globalsOf } from './connect';

interface SynthOptions {
  out: string;
}

export function addInfraCommands(program: Command, env: Environment): void {
  const infra = program.command('infra').description('AWS infrastructure generated from the config');
  infra
    .command('synth')
    .description('write one CloudFormation template per account x Region of the config (docs/infra.md)')
    .requiredOption('--out <dir>', 'folder to write the templates to (created if missing)')
    .action((o: SynthOptions, cmd: Command) => {
      const config = loadConfig(configPathOf(globalsOf(cmd), env));
      const { templates, warnings } = synthesize(config);
      mkdirSync(o.out, { recursive: true });
      for (const t of templates) {
        const file = join(o.out, t.fileName);
        writeFileSync(file, `${JSON.stringify(t.template, null, 2)}\n`);
        const resources = Object.keys(t.template.Resources).length;
        console.log(`${file}: account ${t.account}, ${t.region}, ${resources} resources`);
      }
      for (const w of warnings) console.error(`warning: ${w}`);
    });
}
