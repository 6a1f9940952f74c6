/**
 * Which fields of two message requests differ: what a reused idempotency key answers (HTTP 409), as Stripe's
 * idempotent requests do. Only field names come out, never values: bodies and numbers are personal data.
 * Pure, safe anywhere.
 */

/** Fields compared, in the order they are reported. `idempotencyKey` is the same by construction. */
const COMPARED_FIELDS = [
  'destination',
  'body',
  'useCase',
  'messageType',
  'contacts',
  'content',
  'timeZone',
  'tags',
  'webhook',
];
/** Objects whose own fields are reported one level down (`contacts.email`, `content.voice`). */
const NESTED_FIELDS = new Set(['contacts', 'content']);

/** The comparable request: what the workflow input holds (`request`, normalised) or what the client resolved. */
export type ComparableRequest = Readonly<Record<string, unknown>>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values, key order ignored; an absent field equals `undefined`. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const av = Object.hasOwn(a, k) ? a[k] : undefined;
    const bv = Object.hasOwn(b, k) ? b[k] : undefined;
    if (!sameJson(av, bv)) return false;
  }
  return true;
}

const own = (o: unknown, k: string): unknown => (isPlainObject(o) && Object.hasOwn(o, k) ? o[k] : undefined);

/**
 * The names of the fields in which `incoming` differs from `stored` (both normalised the same way), sorted in
 * the order of COMPARED_FIELDS and, inside a nested object, by name. `[]`: the same request.
 *
 * `content` is compared only when `body` and `useCase` are the same: what the caller did not give is derived from
 * them, so a different body changes every derived channel's content too, which would only repeat "body". Nor is it
 * compared when the stored request lacks it entirely (recorded by an older release, before per-channel content).
 */
export function requestDifferences(stored: ComparableRequest, incoming: ComparableRequest): string[] {
  const out: string[] = [];
  for (const field of COMPARED_FIELDS) {
    if (field === 'content' && (!Object.hasOwn(stored, field) || out.includes('body') || out.includes('useCase'))) {
      continue;
    }
    const a = own(stored, field);
    const b = own(incoming, field);
    if (sameJson(a, b)) continue;
    if (NESTED_FIELDS.has(field) && (isPlainObject(a) || isPlainObject(b))) {
      const names = new Set([...Object.keys(isPlainObject(a) ? a : {}), ...Object.keys(isPlainObject(b) ? b : {})]);
      const nested = [...names].sort().filter((k) => !sameJson(own(a, k), own(b, k)));
      out.push(...nested.map((k) => `${field}.${k}`));
    } else {
      out.push(field);
    }
  }
  return out;
}
