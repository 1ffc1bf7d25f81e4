import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { customerFields } from './customer-fields.js';

describe('customer fields', () => {
  it('labels known keys, folds technical ones, keeps the site’s own keys', () => {
    const f = customerFields({
      FirstName: 'Ann',
      EmailAddress: 'ann.longname@example.com',
      _genesys_browser: 'Chrome',
      _genesys_url: 'https://shop.example.com/cart?x=1',
      _genesys_source: 'web',
      GCTI_Other: '1',
      OrderNumber: 'A-17',
      Empty: '',
    });
    expect(f.contact.map((x) => x.label)).toEqual(['First name', 'Email']);
    expect(f.contact[1]!.kind).toBe('email');
    expect(f.visit.map((x) => [x.label, x.kind])).toEqual([
      ['Page', 'url'],
      ['Browser', 'text'],
    ]);
    expect(f.technical.map((x) => x.key)).toEqual(['GCTI_Other', '_genesys_source']);
    expect(f.custom.map((x) => x.key)).toEqual(['OrderNumber']);
  });

  it('property: every non-empty field appears exactly once', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('FirstName', '_genesys_OS', 'GCTI_LanguageCode', '_x')), fc.string()), (ud) => {
        const f = customerFields(ud);
        const keys = [...f.contact, ...f.custom, ...f.visit, ...f.technical].map((x) => x.key).sort();
        expect(keys).toEqual(
          Object.keys(ud)
            .filter((k) => ud[k])
            .sort(),
        );
      }),
    );
  });
});
