/**
 * Parsers for command-line option values, shared by every entry point (the CLI, the simulator, chaos, bench).
 * Each throws commander's InvalidArgumentError, so commander prints "error: option '--x <n>' argument 'y' is
 * invalid. <why>" and exits non-zero; called outside commander the message still names what is wrong.
 */
import { InvalidArgumentError } from 'commander';
import { durationSchema } from '../domain/duration';

/** A TCP port, 1..65535; `allowZero` also accepts 0 (let the OS pick a free one). */
export function parsePort(value: string | number, allowZero = false): number {
  const port = typeof value === 'number' ? value : Number(value);
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(port) || port < min || port > 65535 || String(value).trim() === '') {
    throw new InvalidArgumentError(`must be a port ${min}..65535, got "${value}"`);
  }
  return port;
}

/** The same, with 0 allowed: for servers that may listen on a port the OS picks. */
export const parsePortOrZero = (value: string | number): number => parsePort(value, true);

/** A whole number ≥ 1. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') {
    throw new InvalidArgumentError(`must be a positive integer, got "${value}"`);
  }
  return n;
}

/** A whole number ≥ 0. */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || value.trim() === '') {
    throw new InvalidArgumentError(`must be a whole number ≥ 0, got "${value}"`);
  }
  return n;
}

/** A number ≥ 0 (rates, budgets). */
export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value.trim() === '') {
    throw new InvalidArgumentError(`must be a number ≥ 0, got "${value}"`);
  }
  return n;
}

/** A share between 0 and 1 (a probability). */
export function parseShare(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1 || value.trim() === '') {
    throw new InvalidArgumentError(`must be a share between 0 and 1, got "${value}"`);
  }
  return n;
}

/** A duration such as 500ms, 3s, 2m, 72h, in milliseconds. */
export function parseDuration(value: string): number {
  const parsed = durationSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? `not a duration: "${value}"`);
  return parsed.data;
}
