/**
 * Phone numbers: phonenumber-parse and phonenumber-format. Sesam uses Python's phonenumbers
 * (a port of Google's libphonenumber); libphonenumber-js carries the same metadata, with the
 * complete ("max") set so that validity is decided as there. A parsed number is a URI in
 * libphonenumber's RFC 3966 form, `tel:+47-22-22-22-22`: the international format with its
 * separators as dashes.
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { URI, type Value } from '../values/types.js';
import { firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

function rfc3966(p: PhoneNumber): string {
  const digits = p.format('INTERNATIONAL', { formatExtension: (number) => number }).replace(/[^\d+]+/g, '-');
  return `tel:${digits}${p.ext ? `;ext=${p.ext}` : ''}`;
}

/** A valid number from text (a leading + or the default region gives its country), else undefined. */
function parseNumber(text: string, region: string | undefined): PhoneNumber | undefined {
  let p: PhoneNumber | undefined;
  try {
    p = parsePhoneNumberFromString(text, region === undefined ? undefined : { defaultCountry: region.toUpperCase() as CountryCode, extract: false });
  } catch {
    return undefined;
  }
  return p !== undefined && p.isValid() ? p : undefined;
}

// Strings and integers that are valid phone numbers become tel: URIs; anything else is dropped.
function phonenumberParse(_cx: FnContext, defaultRegion: Value | undefined, values: Value): Value {
  let region: string | undefined;
  if (defaultRegion !== undefined && defaultRegion !== null) {
    const r = firstValue(defaultRegion);
    if (typeof r !== 'string') return null;
    region = r;
  }
  return mapValues(values, (x) => {
    const text = typeof x === 'string' ? x : typeof x === 'number' && Number.isInteger(x) ? String(x) : typeof x === 'bigint' ? x.toString() : undefined;
    if (text === undefined) return undefined;
    const p = parseNumber(text, region);
    return p === undefined ? undefined : new URI(rfc3966(p));
  });
}

const FORMATS: Readonly<Record<string, (p: PhoneNumber) => string>> = {
  // The docs' example: "e164" of tel:+47-22-22-22-22 is "4722222222", without the plus.
  e164: (p) => p.format('E.164').replace(/^\+/, ''),
  rfc3966,
  national: (p) => p.format('NATIONAL'),
  international: (p) => p.format('INTERNATIONAL'),
  'national-e164': (p) => p.nationalNumber,
  isocode: (p) => p.country ?? '',
  'country-code': (p) => p.countryCallingCode,
};

// Only tel: URIs (as phonenumber-parse makes them) are formatted; other values are dropped,
// and so is the whole call with an unknown format.
function phonenumberFormat(_cx: FnContext, formatString: Value, values: Value): Value {
  const name = firstValue(formatString);
  const format = typeof name === 'string' ? FORMATS[name] : undefined;
  if (format === undefined) return null;
  return mapValues(values, (x) => {
    if (!(x instanceof URI) || !x.value.startsWith('tel:')) return undefined;
    const [number, ...params] = x.value.slice(4).split(';');
    const ext = params.find((q) => q.startsWith('ext='))?.slice(4);
    const p = parseNumber(number! + (ext ? ` ext. ${ext}` : ''), undefined);
    return p === undefined ? undefined : format(p);
  });
}

export const PHONENUMBERS: FunctionTable = {
  'phonenumber-parse': phonenumberParse,
  'phonenumber-format': phonenumberFormat,
};
