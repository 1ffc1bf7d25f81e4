import { describe, expect, it } from 'vitest';
import { customerWords, queryWords, searchWords } from './search-index.js';

describe('search words', () => {
  it('lower case, no accents, letters and digits only, single spaces', () => {
    expect(searchWords('  Zoë’s ORDER #4242 — “late”, e-mail: ann@example.com ')).toBe('zoe s order 4242 late e mail ann example com');
    expect(searchWords('Ünïcödé straße ÅNGSTRÖM')).toBe('unicode straße angstrom');
    expect(searchWords('%_\\*"')).toBe('');
  });

  it('a query keeps at most eight words', () => {
    expect(queryWords('a b c d e f g h i j')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(queryWords('  ')).toEqual([]);
  });

  it('the customer words hold the nickname, the name, the e-mail and the customer id', () => {
    expect(customerWords('Jo', { FirstName: 'Jonny', LastName: 'Smith', EmailAddress: 'J.Smith@Example.com', customerId: 'C-59606', _genesys_url: 'https://x' })).toBe(
      'jo jonny smith j smith example com c 59606',
    );
  });
});
