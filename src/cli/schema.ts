/**
 * `resilient-sms schema [--out DIR]`: writes the deliverMessage workflow's contract (input, signals, status query
 * result, workflow result) as JSON Schema files generated from the zod schemas (src/domain/workflow-contract.ts).
 * The repository keeps them in schemas/ (`npm run cli -- schema`); docs/integration.md says how to use them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { workflowContractSchemas } from '../domain/workflow-contract';

export function addSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description("write the deliverMessage workflow's contract as JSON Schema (docs/integration.md)")
    .option('--out <dir>', 'folder to write the schemas to (created if missing)', 'schemas')
    .action((o: { out: string }) => {
      mkdirSync(o.out, { recursive: true });
      for (const [name, text] of Object.entries(workflowContractSchemas())) {
        writeFileSync(join(o.out, name), text);
        console.log(join(o.out, name));
      }
    });
}
