/**
 * `resilient-sms openapi [--out FILE]`: the HTTP API's OpenAPI 3.1 document (src/api/openapi.ts), printed or written
 * to a file. The committed copy is schemas/openapi.json (`--out schemas/openapi.json`); needs no config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { buildOpenApiDocument, openApiJson } from '../api/openapi';

export function addOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description("print the HTTP API's OpenAPI 3.1 document (also served at GET /openapi.json)")
    .option('--out <file>', 'write it to this file instead (folders created if missing)')
    .action((o: { out?: string }) => {
      const document = buildOpenApiDocument();
      const text = openApiJson(document);
      if (o.out === undefined) {
        process.stdout.write(text);
        return;
      }
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, text);
      const operations = Object.values(document.paths as Record<string, object>).reduce(
        (n, item) => n + Object.keys(item).length,
        0,
      );
      console.log(`${o.out}: OpenAPI 3.1, ${operations} operations`);
    });
}
