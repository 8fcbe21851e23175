import fc from 'fast-check';

/** A JSON Schema (2020-12, as `/openapi.json` holds them), loosely typed. */
export type Schema = boolean | { [keyword: string]: any };

/**
 * Values an attacker or a careless client would send: control characters (NUL first), bidi overrides, huge and
 * odd strings, numbers at the edges, the wrong types, deep nesting.
 */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\u0007bell', '\u001b[31m', 'x\u202Egnp.exe', '\uFEFF', '\uD800', '%00', '../../etc/passwd'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('x'.repeat(10_000), 'é'.repeat(3_000), ' '.repeat(300)),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, 0.5, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(null, true, [], {}, [[[[[[[[[[]]]]]]]]]], { __proto__: { admin: true } }, { constructor: 'x' }),
  fc.constantFrom('2026-13-45T25:61:00Z', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', 'NaN', 'Infinity'),
);

const printable = (max: number, min = 0) => fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, max) });

/**
 * Values for a schema: mostly valid (so requests get past validation and reach the service and the store),
 * with a `hostileWeight` share of hostile values at every node.
 */
export function arbitraryFor(schema: Schema, hostileWeight = 1, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFor(schema, hostileWeight, depth);
  return hostileWeight > 0 ? fc.oneof({ weight: 12, arbitrary: valid }, { weight: hostileWeight, arbitrary: hostile }) : valid;
}

function validFor(schema: Schema, hostileWeight: number, depth: number): fc.Arbitrary<unknown> {
  if (schema === true || schema === false || !schema || Object.keys(schema).length === 0) return fc.jsonValue({ maxDepth: 2 });
  const s = schema as Record<string, any>;
  const next = (sub: Schema) => arbitraryFor(sub, hostileWeight, depth + 1);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf).map((sub: Schema) => validFor(sub, hostileWeight, depth)));
  if (s.allOf) return validFor(Object.assign({}, ...s.allOf), hostileWeight, depth);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({ min: bound(s.minimum, s.exclusiveMinimum, -1e6, 1), max: bound(s.maximum, s.exclusiveMaximum, 1e6, -1) });
    case 'number':
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
        max: s.maximum ?? s.exclusiveMaximum ?? 1e6,
        minExcluded: s.exclusiveMinimum !== undefined,
        maxExcluded: s.exclusiveMaximum !== undefined,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 5) return fc.constant([]);
      return fc.array(next(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    default: {
      if (depth > 5) return fc.constant({});
      const properties: Record<string, Schema> = s.properties ?? {};
      const required: string[] = s.required ?? [];
      const known = fc.record(Object.fromEntries(Object.entries(properties).map(([k, sub]) => [k, next(sub)])), {
        requiredKeys: required.filter((k) => k in properties),
      });
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const keys = s.propertyNames ? stringFor(s.propertyNames) : printable(20, 1);
        return fc
          .tuple(known, fc.dictionary(keys as fc.Arbitrary<string>, next(s.additionalProperties), { maxKeys: 3 }))
          .map(([a, b]) => ({ ...b, ...a }));
      }
      return known;
    }
  }
}

function stringFor(s: Record<string, any>): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 40, 300);
  const min = s.minLength ?? 0;
  switch (s.format) {
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= max);
    case 'uri':
      return fc.oneof(
        fc.webUrl(),
        fc.constantFrom('http://127.0.0.1:9/x', 'http://169.254.169.254/latest', 'file:///etc/passwd', 'gopher://x'),
      );
    case 'date-time':
      return fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
  }
  if (s.contentEncoding === 'base64') return fc.base64String({ maxLength: 200 });
  if (typeof s.pattern === 'string' && !s.pattern.startsWith('^[^')) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= Math.max(max, min));
    } catch {}
  }
  return printable(max, min);
}

const bound = (inclusive: number | undefined, exclusive: number | undefined, fallback: number, step: number) =>
  inclusive ?? (exclusive !== undefined ? exclusive + step : fallback);
