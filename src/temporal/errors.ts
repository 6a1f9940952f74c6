/**
 * Why a Temporal connection could not be made, in words naming the config field to fix. Every process and the typed
 * client throw these at start (src/temporal/connect.ts); the CLI prints the message as its one line.
 */

/** A setting that can never work as written: fixing the config (or the file, or the variable) is the only way out. */
export class TemporalSettingsError extends Error {
  override readonly name = 'TemporalSettingsError';
  constructor(
    /** The config field to fix, e.g. `temporal.tls.clientCertFile`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Temporal did not answer (refused, unreachable, timed out): the settings may be right and the server down. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}
