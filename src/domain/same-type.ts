/**
 * A compile-time check that a zod schema and the interface it publishes describe the same values:
 * `same<Same<z.output<typeof schema>, Interface>>()` fails the typecheck when they drift apart.
 */

/** Each assignable to the other, with the same property names (an optional field missing on one side counts). */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;

/** Compiles only when `T` is `true`; does nothing at run time. */
export function same<T extends true>(): T | undefined {
  return undefined;
}
