import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFormBody, parseFormBody } from './form-body.js';

const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /^[A-Za-z_][\w.\- ]*$/.test(k) && k !== '__proto__' && k !== 'constructor' && k !== 'prototype');
const leaf = fc.string({ maxLength: 40 });

describe('form-bracket body parser', () => {
  it('parses the reference client start body', () => {
    const body =
      'data%5BfirstName%5D=Jonny&data%5BlastName%5D=Smith&data%5BuserData%5D%5B_genesys_source%5D=web&data%5BuserData%5D%5BcustomerId%5D=59606&data%5BuserData%5D%5B_genesys_referrer%5D=&operationId=abc';
    expect(parseFormBody(body)).toEqual({
      data: { firstName: 'Jonny', lastName: 'Smith', userData: { _genesys_source: 'web', customerId: '59606', _genesys_referrer: '' } },
      operationId: 'abc',
    });
  });

  it('decodes + as space and percent escapes, unencoded brackets too', () => {
    expect(parseFormBody('data[type]=Text&data[text]=hi+there%21')).toEqual({ data: { type: 'Text', text: 'hi there!' } });
  });

  it('round-trips nested objects of strings up to depth 4', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 4 })), { maxKeys: 4 })), { maxKeys: 6 }), (value) => {
        const cleaned = JSON.parse(JSON.stringify(value));
        const dropEmpty = (v: any): any =>
          typeof v === 'string'
            ? v
            : Object.fromEntries(
                Object.entries(v)
                  .map(([k, x]) => [k, dropEmpty(x)])
                  .filter(([, x]) => typeof x === 'string' || Object.keys(x as object).length),
              );
        expect(parseFormBody(encodeFormBody(cleaned))).toEqual(dropEmpty(cleaned));
      }),
    );
  });

  it('never throws and never pollutes prototypes on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const out = parseFormBody(s);
        expect(typeof out).toBe('object');
      }),
    );
    parseFormBody('__proto__[polluted]=yes&constructor[prototype][polluted]=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits nesting and parameter count', () => {
    const deep = parseFormBody('a[b][c][d][e][f][g][h]=1') as any;
    expect(JSON.stringify(deep).length).toBeLessThan(100);
    const many = Array.from({ length: 2000 }, (_, i) => `k${i}=v`).join('&');
    expect(Object.keys(parseFormBody(many)).length).toBeLessThanOrEqual(500);
  });
});
