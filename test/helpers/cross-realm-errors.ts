/**
 * Make `instanceof Error` inside a Jest test sandbox recognise errors created by Node itself.
 *
 * Jest runs each test file in a `vm` context with its own `Error`. Errors raised by Node internals (socket errors:
 * `ECONNREFUSED`, `ECONNRESET`, ...) come from the outer realm, so `err instanceof Error` is `false` in the
 * sandbox. The AWS SDK's retry middleware (`asSdkError` in @smithy/core) then replaces such an error with
 * `new Error('AWS SDK error wrapper for ' + err)`, dropping its `code`: tests would see an error that production
 * (one realm) never sees. This restores production behaviour for `instanceof Error` only (subclasses unaffected).
 *
 * Import it for its side effect at the top of a test file that expects network errors from the SDK.
 */
import { types } from 'node:util';

const SandboxError = Error;
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

if (!(SandboxError as unknown as { __crossRealmPatched?: boolean }).__crossRealmPatched) {
  Object.defineProperty(SandboxError, Symbol.hasInstance, {
    configurable: true,
    value(this: unknown, value: unknown): boolean {
      if (ordinaryHasInstance.call(this, value)) return true;
      // Only `Error` itself widens; `TypeError` etc. inherit this static method and keep ordinary semantics.
      return this === SandboxError && types.isNativeError(value);
    },
  });
  Object.defineProperty(SandboxError, '__crossRealmPatched', { value: true });
}

export {};
