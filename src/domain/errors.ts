import type { z } from 'zod';

/** Thrown for any input that fails validation; the message names every failing field. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly what: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid ${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * A missing field says "required" (zod's own message is "Invalid input: expected string, received
 * undefined"). Used for this parse only; a schema's own message still wins.
 */
const requiredWhenMissing: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined;

/** Parse `input` with `schema`, or throw an InvalidInputError naming each failing field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input, { error: requiredWhenMissing });
  if (result.success) return result.data;
  throw new InvalidInputError(
    what,
    result.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      // A bad record key reports only "Invalid key in record"; the key schema's own message says why.
      message:
        issue.code === 'invalid_key' && issue.issues.length > 0
          ? `${issue.message}: ${issue.issues.map((i) => i.message).join('; ')}`
          : issue.message,
    })),
  );
}
