/**
 * `<data>/stack.json`: what the local stack launcher started (endpoints, the effective config, each child's pid).
 * The launcher writes it once everything is up and again whenever it restarts a child; scripts, tests, chaos and
 * bench read it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface StackInfo {
  pid: number;
  startedAt: string;
  dataDir: string;
  /** The effective config every child uses (endpoints rewritten to what was started). */
  configPath: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  simulatorUrl: string;
  sqsEndpoint: string;
  /** The HTTP API (API key: RSMS_LOCAL_API_KEY in keysFile). */
  apiUrl?: string;
  /** The codec server the Web UI decodes payloads with (token: RSMS_LOCAL_CODEC_TOKEN in keysFile). */
  codecServerUrl?: string;
  /** The generated secrets (mode 0600): encryption key, codec token, API key. */
  keysFile?: string;
  logsDir: string;
  processes: Record<string, number | undefined>;
  /** Prometheus endpoint of each child that has one (SDK metrics and ours): `{ worker: url, ingester: url }`. */
  metrics?: Record<string, string>;
}

export function stackInfoFile(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

export function readStackInfo(dataDir: string): StackInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(stackInfoFile(dataDir), 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
}

export function writeStackInfo(info: StackInfo): void {
  fs.writeFileSync(stackInfoFile(info.dataDir), JSON.stringify(info, null, 2));
}
