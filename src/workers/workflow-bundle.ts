/**
 * The prebuilt workflow bundle: `npm run build` runs webpack over the workflow code once
 * (`node lib/src/workers/workflow-bundle.js`), so a worker starts without bundling (seconds of CPU on
 * every start). Two variants, because the failure converter is compiled into the bundle:
 *
 *   lib/workflow-bundle.js            plain payloads (no `security.encryption`)
 *   lib/workflow-bundle.encrypted.js  with failureConverterPath() (encrypted failure messages)
 *
 * Each has a manifest (`.json`) naming every file of ours the bundle was built from with its SHA-256.
 * A worker uses a bundle only when all of them still match (a later `tsc` that changed workflow code
 * makes it stale, and the worker bundles at start instead, saying why), so a stale bundle never runs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../codec/data-converter';

export type WorkflowBundleMode = 'auto' | 'prebuilt' | 'bundle-at-start';

export interface BundleManifest {
  /** @temporalio/workflow version the bundle contains. */
  sdkVersion: string;
  failureConverter: boolean;
  builtAt: string;
  /** Repository-relative path -> SHA-256 of every file of ours in the bundle. */
  inputs: Record<string, string>;
}

/** The compiled tree's root (`lib/`), when running compiled code; undefined when running from `src/` (tests). */
export function compiledRoot(dir: string = __dirname): string | undefined {
  const root = path.resolve(dir, '..', '..');
  return path.basename(root) === 'lib' && fs.existsSync(path.join(root, 'src')) ? root : undefined;
}

export function bundlePaths(libDir: string, failureConverter: boolean): { code: string; manifest: string } {
  const base = path.join(libDir, failureConverter ? 'workflow-bundle.encrypted' : 'workflow-bundle');
  return { code: `${base}.js`, manifest: `${base}.json` };
}

function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

function workflowSdkVersion(): string {
  try {
    return (
      JSON.parse(fs.readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * The bundle without the source text webpack embeds in its inline source map (`sourcesContent`, a third of
 * the file): positions still map to our sources for stack traces, and the worker reads and parses 0.9 MB
 * less at start. (Only the "enhanced stack trace" query with `showStackTraceSources` would show source text.)
 */
export function withoutSourcesContent(code: string): string {
  const m = INLINE_MAP.exec(code);
  if (!m) return code;
  const map = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as Record<string, unknown>;
  delete map.sourcesContent;
  const encoded = Buffer.from(JSON.stringify(map)).toString('base64');
  return `${code.slice(0, m.index)}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${encoded}`;
}

/**
 * The compiled files of ours (not node_modules) that webpack put in a bundle, from its inline source map.
 * The map names the TypeScript sources (tsc's own maps are followed); the bundle was built from their
 * compiled `.js` under `libDir`, which is what a deployed image has (without src/).
 */
function bundleInputs(code: string, libDir: string): string[] {
  const m = INLINE_MAP.exec(code);
  if (!m) return [];
  const map = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { sources?: string[] };
  const root = path.dirname(libDir);
  const files = new Set<string>();
  for (const source of map.sources ?? []) {
    const file = source.replace(/^webpack:\/\/\/?/, '');
    if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const rel = path.relative(root, file);
    const compiled = rel.startsWith('lib') ? file : path.join(libDir, rel.replace(/\.ts$/, '.js'));
    if (fs.existsSync(compiled)) files.add(compiled);
  }
  return [...files];
}

/** Why the bundle at `libDir` cannot be used (missing, other SDK, a source changed), or undefined when it can. */
export function staleReason(libDir: string, failureConverter: boolean): string | undefined {
  const paths = bundlePaths(libDir, failureConverter);
  if (!fs.existsSync(paths.code) || !fs.existsSync(paths.manifest)) return `${paths.code} not built`;
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(paths.manifest, 'utf8')) as BundleManifest;
  } catch {
    return `${paths.manifest} unreadable`;
  }
  if (manifest.sdkVersion !== workflowSdkVersion()) return `built with @temporalio/workflow ${manifest.sdkVersion}`;
  if (manifest.failureConverter !== failureConverter) return 'built for another failure converter';
  const root = path.dirname(libDir);
  if (Object.keys(manifest.inputs).length === 0) return 'manifest lists no inputs';
  for (const [rel, hash] of Object.entries(manifest.inputs)) {
    if (sha256(path.join(root, rel)) !== hash) return `${rel} changed since the bundle was built`;
  }
  return undefined;
}

/**
 * The prebuilt bundle to give `Worker.create({ workflowBundle })`, or undefined to bundle at start.
 * `prebuilt` insists (throws when there is none or it is stale); `auto` falls back, telling `warn` why.
 */
export function prebuiltWorkflowBundle(
  mode: WorkflowBundleMode | undefined,
  failureConverter: boolean,
  warn: (msg: string) => void = () => {},
  libDir: string | undefined = compiledRoot(),
): { codePath: string } | undefined {
  if (mode === 'bundle-at-start') return undefined;
  // Running from src/ (tests): there is no prebuilt bundle to expect.
  if (!libDir && mode !== 'prebuilt') return undefined;
  const reason = libDir ? staleReason(libDir, failureConverter) : 'not running compiled code (lib/)';
  if (reason === undefined) return { codePath: bundlePaths(libDir!, failureConverter).code };
  if (mode === 'prebuilt') {
    throw new Error(
      `worker.workflowBundle is "prebuilt" but the prebuilt bundle cannot be used: ${reason} (npm run build)`,
    );
  }
  warn(`bundling workflows at start: ${reason} (npm run build prebuilds it)`);
  return undefined;
}

/** Bundles the workflow code into `libDir` (both variants), unless an up-to-date bundle is already there. */
export async function buildWorkflowBundles(
  libDir: string,
  workflowsPath: string,
  log: (line: string) => void = () => {},
): Promise<void> {
  for (const failureConverter of [false, true]) {
    const paths = bundlePaths(libDir, failureConverter);
    if (staleReason(libDir, failureConverter) === undefined) {
      log(`${path.relative(process.cwd(), paths.code)} is up to date`);
      continue;
    }
    const started = Date.now();
    const { code: full } = await bundleWorkflowCode({
      workflowsPath,
      ...(failureConverter ? { failureConverterPath: failureConverterPath() } : {}),
      logger: {
        trace() {},
        debug() {},
        info() {},
        warn: (m) => log(`warn: ${m}`),
        error: (m) => log(`error: ${m}`),
        log() {},
      },
    });
    const code = withoutSourcesContent(full);
    const root = path.dirname(libDir);
    const inputs: Record<string, string> = {};
    for (const file of bundleInputs(code, libDir)) inputs[path.relative(root, file)] = sha256(file)!;
    const manifest: BundleManifest = {
      sdkVersion: workflowSdkVersion(),
      failureConverter,
      builtAt: new Date().toISOString(),
      inputs,
    };
    fs.writeFileSync(paths.code, code);
    fs.writeFileSync(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    log(
      `${path.relative(process.cwd(), paths.code)}: ${(code.length / 1024).toFixed(0)} KB, ` +
        `${Object.keys(inputs).length} source files, ${Date.now() - started} ms`,
    );
  }
}

if (require.main === module) {
  const libDir = compiledRoot();
  if (!libDir) {
    console.error('workflow-bundle: run the compiled file (node lib/src/workers/workflow-bundle.js)');
    process.exit(1);
  }
  buildWorkflowBundles(libDir, require.resolve('../workflows'), (line) =>
    console.log(`workflow bundle: ${line}`),
  ).catch((err: unknown) => {
    console.error(`workflow bundle: ${(err as Error).message}`);
    process.exit(1);
  });
}
