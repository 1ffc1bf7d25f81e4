/** One user-data field as the customer panel shows it. */
export interface CustomerField {
  key: string;
  label: string;
  value: string;
  /** Values that are addresses (e-mail, web) wrap only between characters that allow it. */
  kind: 'text' | 'email' | 'url';
}

export interface CustomerFields {
  /** Who the customer is: name, e-mail, phone, subject. */
  contact: CustomerField[];
  /** Fields the site chose to send (its own keys). */
  custom: CustomerField[];
  /** The page and browser the chat came from, with readable labels. */
  visit: CustomerField[];
  /** Technical fields with no readable label (`_genesys_*`, `GCTI_*`, keys starting with `_`): shown folded, raw. */
  technical: CustomerField[];
}

const CONTACT: Record<string, string> = {
  FirstName: 'First name',
  LastName: 'Last name',
  EmailAddress: 'Email',
  PhoneNumber: 'Phone',
  Subject: 'Subject',
};

const VISIT: Record<string, string> = {
  _genesys_pageTitle: 'Page title',
  _genesys_url: 'Page',
  _genesys_referrer: 'Came from',
  _genesys_browser: 'Browser',
  _genesys_OS: 'Operating system',
  GCTI_LanguageCode: 'Language',
};

const TECHNICAL = /^(_|GCTI_)/;

function kindOf(value: string): CustomerField['kind'] {
  if (/^https?:\/\//i.test(value)) return 'url';
  if (/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(value)) return 'email';
  return 'text';
}

function field(key: string, label: string, value: string): CustomerField {
  return { key, label, value, kind: kindOf(value) };
}

/** Sorts user data into what an agent reads first and what is technical. Empty values are left out. */
export function customerFields(userData: Record<string, string>): CustomerFields {
  const out: CustomerFields = { contact: [], custom: [], visit: [], technical: [] };
  for (const [key, label] of Object.entries(CONTACT)) if (userData[key]) out.contact.push(field(key, label, userData[key]));
  for (const [key, label] of Object.entries(VISIT)) if (userData[key]) out.visit.push(field(key, label, userData[key]));
  const rest = Object.keys(userData)
    .filter((k) => userData[k] && !Object.hasOwn(CONTACT, k) && !Object.hasOwn(VISIT, k))
    .sort();
  for (const key of rest) (TECHNICAL.test(key) ? out.technical : out.custom).push(field(key, key, String(userData[key])));
  return out;
}
