/**
 * Lookups by a name someone else chose (a use case in a request, an account or route in the config)
 * must never find what every object inherits: `config.policies["constructor"]` is Object's constructor,
 * not a policy. Every such lookup goes through `ownValue`; the config refuses such names outright.
 */

/** `constructor`, `toString`, `hasOwnProperty`, `valueOf`, `__proto__`, …: what `{}` already "has". */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isPrototypeName(name: string): boolean {
  return PROTOTYPE_NAMES.has(name);
}

export const PROTOTYPE_NAME_MESSAGE = 'is a reserved name (a property of every JavaScript object): choose another';

/** The record's own value for `key`, never an inherited one. */
export function ownValue<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
