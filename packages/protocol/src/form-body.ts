import qs from 'qs';

/** Limits that keep a hostile form body from costing much to parse. */
export const FORM_LIMITS = { depth: 5, parameterLimit: 500, arrayLimit: 50 } as const;

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/**
 * Parses an `application/x-www-form-urlencoded` body with bracket nesting
 * (`data[userData][key]=v`), as the Genesys Widgets client sends it.
 */
export function parseFormBody(body: string): Record<string, FormValue> {
  const parsed = qs.parse(body, {
    depth: FORM_LIMITS.depth,
    parameterLimit: FORM_LIMITS.parameterLimit,
    arrayLimit: FORM_LIMITS.arrayLimit,
    allowPrototypes: false,
    plainObjects: true,
    strictDepth: false,
  });
  return parsed as Record<string, FormValue>;
}

/** The inverse of parseFormBody, used by clients of Parley's APIs. */
export function encodeFormBody(value: Record<string, unknown>): string {
  return qs.stringify(value, { encodeValuesOnly: false, arrayFormat: 'indices' });
}
