/**
 * Date and time functions (docs: dtl-functions-date-and-time.rst, timezones.rst).
 *
 * Datetimes are UTC instants with nanosecond precision (values/types.ts DateTime). Like
 * Python's datetime, the supported range is the years 1–9999: results outside it are
 * unusable (dropped, or null for a single value).
 *
 * Time zones are IANA names resolved with Intl (Node's full ICU data); Sesam uses pytz, and
 * both are the same tz database, so offsets agree up to database versions (the docs warn
 * that results may change as tz data is updated). All 591 names listed in timezones.rst
 * resolve. An unknown zone name makes every value unusable.
 *
 * Local wall-clock times that do not exist (spring-forward gap) or exist twice (fall-back
 * overlap) are resolved with the standard-time offset, which is what pytz's
 * `localize(dt, is_dst=False)` does: Oslo 2018-03-25 02:30 → 01:30Z and 2018-10-28 02:30 →
 * 01:30Z.
 */
import { DateTime, DateValue, Typed, floorDiv, normInt, type Value } from '../values/types.js';
import { castValues, firstValue, intArg, mapValues, strArg } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

const NS_PER_US = 1_000n;
const NS_PER_MS = 1_000_000n;
const NS_PER_SEC = 1_000_000_000n;
const NS_PER_MIN = 60n * NS_PER_SEC;
const NS_PER_HOUR = 60n * NS_PER_MIN;
const NS_PER_DAY = 24n * NS_PER_HOUR;
const NS_PER_WEEK = 7n * NS_PER_DAY;

/**
 * Fixed-length date parts in nanoseconds (month and year are calendar arithmetic). A Map, so
 * that a DATEPART such as "constructor" finds nothing.
 */
const FIXED_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['week', NS_PER_WEEK],
  ['day', NS_PER_DAY],
  ['hour', NS_PER_HOUR],
  ['minute', NS_PER_MIN],
  ['second', NS_PER_SEC],
  ['millisecond', NS_PER_MS],
  ['microsecond', NS_PER_US],
  ['nanosecond', 1n],
]);

// ---------------------------------------------------------------- calendar

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Broken-down wall-clock time. */
interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Nanoseconds within the second, 0–999 999 999. */
  nano: number;
}

function fieldsOf(ns: bigint): Fields {
  const days = floorDiv(ns, NS_PER_DAY);
  const rem = ns - days * NS_PER_DAY;
  const sec = Number(rem / NS_PER_SEC);
  const [year, month, day] = civilFromDays(Number(days));
  return { year, month, day, hour: Math.floor(sec / 3600), minute: Math.floor(sec / 60) % 60, second: sec % 60, nano: Number(rem % NS_PER_SEC) };
}

function nsOf(f: Fields): bigint {
  const days = BigInt(daysFromCivil(f.year, f.month, f.day));
  return days * NS_PER_DAY + BigInt(f.hour * 3600 + f.minute * 60 + f.second) * NS_PER_SEC + BigInt(f.nano);
}

function validFields(f: Fields): boolean {
  return (
    f.year >= 1 && f.year <= 9999 && f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= daysInMonth(f.year, f.month) &&
    f.hour >= 0 && f.hour <= 23 && f.minute >= 0 && f.minute <= 59 && f.second >= 0 && f.second <= 59
  );
}

const MIN_NS = BigInt(daysFromCivil(1, 1, 1)) * NS_PER_DAY;
const MAX_NS = BigInt(daysFromCivil(10000, 1, 1)) * NS_PER_DAY - 1n;

/** A DateTime when `ns` lies in the years 1–9999, else undefined (Python's OverflowError). */
function inRange(ns: bigint): DateTime | undefined {
  return ns >= MIN_NS && ns <= MAX_NS ? new DateTime(ns) : undefined;
}

// ---------------------------------------------------------------- time zones

interface Zone {
  /** Offset from UTC in seconds at the instant `sec` (seconds since the epoch). */
  offset(sec: number): number;
  /** Short display name (`UTC`, `PDT`, `GMT+2`) for %Z. */
  abbrev(sec: number): string;
}

const UTC_ZONE: Zone = { offset: () => 0, abbrev: () => 'UTC' };

class IntlZone implements Zone {
  private readonly parts: Intl.DateTimeFormat;
  private names: Intl.DateTimeFormat[] | undefined;
  constructor(private readonly name: string) {
    // Throws RangeError for unknown names; the era keeps years before 1 AD unambiguous.
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }
  offset(sec: number): number {
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    let bc = false;
    for (const p of this.parts.formatToParts(new Date(sec * 1000))) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
      }
    }
    if (bc) y = 1 - y;
    return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - sec;
  }
  /**
   * tz abbreviations are not exposed by Intl; the English locales that use them for their
   * own regions (en-US: EST/PDT, en-GB: GMT/BST/CET/CEST, en-AU: AEST, en-IN: IST) give most
   * of them. Otherwise the tzdata style numeric form (`+09`, `+0530`), so %Z is close to,
   * but not always equal to, pytz's (Tokyo: `+09` vs `JST`).
   */
  abbrev(sec: number): string {
    this.names ??= ABBREV_LOCALES.map((loc) => new Intl.DateTimeFormat(loc, { timeZone: this.name, timeZoneName: 'short' }));
    const date = new Date(sec * 1000);
    for (const f of this.names) {
      const name = f.formatToParts(date).find((x) => x.type === 'timeZoneName')?.value;
      if (name && !/^(?:GMT|UTC)[+-]/.test(name)) return name;
    }
    const o = this.offset(sec);
    const text = formatOffset(o, false);
    return text.endsWith('00') && text.length === 5 ? text.slice(0, 3) : text;
  }
}

const ABBREV_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'];

const zoneCache = new Map<string, Zone | null>();

/** The zone for a TZ argument: omitted means UTC; anything unusable gives undefined. */
function zoneOf(tz: Value | undefined): Zone | undefined {
  if (tz === undefined || tz === null) return UTC_ZONE;
  const name = firstValue(tz);
  if (typeof name !== 'string') return undefined;
  if (name === 'UTC') return UTC_ZONE;
  let z = zoneCache.get(name);
  if (z === undefined) {
    try {
      z = new IntlZone(name);
    } catch {
      z = null;
    }
    if (zoneCache.size > 1000) zoneCache.clear();
    zoneCache.set(name, z);
  }
  return z ?? undefined;
}

function secondsOf(ns: bigint): number {
  return Number(floorDiv(ns, NS_PER_SEC));
}

/** UTC instant → wall-clock nanoseconds (the local time written as if it were UTC). */
function utcToLocal(zone: Zone, ns: bigint): { local: bigint; offset: number } {
  const offset = zone.offset(secondsOf(ns));
  return { local: ns + BigInt(offset) * NS_PER_SEC, offset };
}

/**
 * Wall-clock nanoseconds in `zone` → UTC instant. Candidate offsets are those in force a
 * day either side; a candidate is right when the zone really has that offset at the
 * resulting instant. Two right answers (overlap) or none (gap): the smaller, standard-time
 * offset wins (pytz is_dst=False).
 */
function localToUtc(zone: Zone, local: bigint): bigint {
  if (zone === UTC_ZONE) return local;
  const t = secondsOf(local);
  const candidates = new Set([zone.offset(t - 86400), zone.offset(t), zone.offset(t + 86400)]);
  let valid: number | undefined;
  let smallest = Infinity;
  for (const o of candidates) {
    smallest = Math.min(smallest, o);
    if (zone.offset(t - o) === o && (valid === undefined || o < valid)) valid = o;
  }
  return local - BigInt(valid ?? smallest) * NS_PER_SEC;
}

// ---------------------------------------------------------------- formatting

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function pad(n: number, width: number, fill = '0'): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + s.padStart(width, fill);
}

function formatOffset(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const sep = colon ? ':' : '';
  const base = sign + pad(Math.floor(a / 3600), 2) + sep + pad(Math.floor(a / 60) % 60, 2);
  return a % 60 === 0 ? base : base + sep + pad(a % 60, 2);
}

/** ISO 8601 week-based year and week number: the week belongs to the year of its Thursday. */
function isoWeek(days: number, wday: number): [number, number] {
  const thursday = days - ((wday + 6) % 7) + 3;
  const [year] = civilFromDays(thursday);
  return [year, Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1];
}

/** Conversions glibc accepts after an E or O modifier (others make the directive invalid). */
const E_CONVERSIONS = new Set('cCnpPrRstTuxXyY%');
const O_CONVERSIONS = new Set('bBCdegGhHIjklmMnpPrRsStTuUVwWy%');

/** A parsed `%[flags][width][E|O]conversion` directive. */
interface Directive {
  /** glibc's padding flag: `_` spaces, `-` none, `0` zeros. */
  pad: '_' | '-' | '0' | undefined;
  upper: boolean;
  swapCase: boolean;
  width: number;
  modifier: 'E' | 'O' | undefined;
  conversion: string | undefined;
  /** The directive as written, for an invalid one (written out literally). */
  text: string;
}

function parseDirective(format: string, start: number): { d: Directive; next: number } {
  let i = start + 1;
  const d: Directive = { pad: undefined, upper: false, swapCase: false, width: 0, modifier: undefined, conversion: undefined, text: '' };
  for (; i < format.length; i++) {
    const c = format[i]!;
    if (c === '_' || c === '-' || c === '0') d.pad = c;
    else if (c === '^') d.upper = true;
    else if (c === '#') d.swapCase = true;
    else break;
  }
  let width = '';
  while (i < format.length && format[i]! >= '0' && format[i]! <= '9') width += format[i++];
  // Beyond any sensible width; caps the padding a hostile format could ask for.
  d.width = Math.min(Number(width || '0'), 1024);
  if (format[i] === 'E' || format[i] === 'O') d.modifier = format[i++] as 'E' | 'O';
  d.conversion = format[i];
  const next = Math.min(i + 1, format.length);
  d.text = format.slice(start, next);
  return { d, next };
}

function padTo(s: string, width: number, fill: string): string {
  return s.length >= width ? s : fill.repeat(width - s.length) + s;
}

/**
 * glibc's strftime in the C locale, which Python's datetime.strftime calls on Linux for all
 * but %f, %z and %Z (see pythonStrftime). So besides the
 * documented tokens (%d %e %H %I %m %M %p %S %f %y %Y %z %%) the glibc ones work (%a %A %b
 * %B %h %c %x %X %D %F %T %R %r %j %U %W %w %u %C %G %g %V %k %l %P %s %n %t), with glibc's
 * flags (`-` no padding, `_` spaces, `0` zeros, `^` upper case, `#` swapped case), a field
 * width and the E/O modifiers, which users write (`%-d.%-m.%Y`). Deliberate differences:
 * %Y and %G are always at least 4 digits and %C 2 (glibc writes year 5 as "5"). An unknown
 * directive is written as it stands, as glibc does.
 */
function strftime(format: string, utcNs: bigint, zone: Zone): string {
  const { local } = utcToLocal(zone, utcNs);
  const f = fieldsOf(local);
  const days = Number(floorDiv(local, NS_PER_DAY));
  const wday = (((days % 7) + 7 + 4) % 7); // 1970-01-01 was a Thursday; Sunday = 0
  const yday = days - daysFromCivil(f.year, 1, 1); // 0-based
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const sub = (fmt: string): string => strftime(fmt, utcNs, zone);

  /** [value, glibc's own digit count, space-padded by default]; undefined: not a number. */
  const numeric = (c: string): [number, number, boolean] | undefined => {
    switch (c) {
      case 'd': return [f.day, 2, false];
      case 'e': return [f.day, 2, true];
      case 'H': return [f.hour, 2, false];
      case 'k': return [f.hour, 2, true];
      case 'I': return [h12, 2, false];
      case 'l': return [h12, 2, true];
      case 'm': return [f.month, 2, false];
      case 'M': return [f.minute, 2, false];
      case 'S': return [f.second, 2, false];
      case 'y': return [f.year % 100, 2, false];
      case 'Y': return [f.year, 4, false];
      case 'C': return [Math.floor(f.year / 100), 2, false];
      case 'j': return [yday + 1, 3, false];
      case 'w': return [wday, 1, false];
      case 'u': return [wday === 0 ? 7 : wday, 1, false];
      case 'U': return [Math.floor((yday + 7 - wday) / 7), 2, false];
      case 'W': return [Math.floor((yday + 7 - ((wday + 6) % 7)) / 7), 2, false];
      case 'G': return [isoWeek(days, wday)[0], 4, false];
      case 'g': return [isoWeek(days, wday)[0] % 100, 2, false];
      case 'V': return [isoWeek(days, wday)[1], 2, false];
      // glibc's mktime reads the broken-down time in the process zone, UTC on a Sesam node:
      // seconds since the epoch of the wall clock.
      case 's': return [Number(floorDiv(local, NS_PER_SEC)), 1, false];
    }
    return undefined;
  };

  /** Text conversions as glibc writes them, before case flags and width. */
  const text = (d: Directive): string | undefined => {
    switch (d.conversion) {
      case 'a': return DAY_NAMES[wday]!.slice(0, 3);
      case 'A': return DAY_NAMES[wday]!;
      case 'b':
      case 'h': return MONTH_NAMES[f.month - 1]!.slice(0, 3);
      case 'B': return MONTH_NAMES[f.month - 1]!;
      case 'p': return f.hour < 12 ? 'AM' : 'PM';
      case 'P': return f.hour < 12 ? 'am' : 'pm';
      case 'c': return sub('%a %b %e %H:%M:%S %Y');
      case 'x':
      case 'D': return sub('%m/%d/%y');
      case 'X':
      case 'T': return sub('%H:%M:%S');
      case 'F': return sub('%Y-%m-%d');
      case 'R': return sub('%H:%M');
      case 'r': return sub('%I:%M:%S %p');
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      // Only reached with a flag, width or modifier (Python replaces the bare pairs): glibc's
      // own %z/%Z, which find no zone in the struct Python hands them.
      case 'z':
      case 'Z': return '';
    }
    return undefined;
  };

  let out = '';
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    if (c !== '%' || i === format.length - 1) {
      out += c;
      i++;
      continue;
    }
    const { d, next } = parseDirective(format, i);
    i = next;
    const conv = d.conversion;
    const valid = conv !== undefined && (d.modifier === undefined || (d.modifier === 'E' ? E_CONVERSIONS : O_CONVERSIONS).has(conv));
    const num = valid ? numeric(conv) : undefined;
    if (num) {
      const [value, ownDigits, spaces] = num;
      const padFlag = d.pad ?? (spaces ? '_' : undefined);
      // glibc widens a number's own digit count to the field width (%3d is 008), except
      // for %s, which then pads to the width with spaces unless the flag is 0.
      const digits = conv === 's' ? 1 : Math.max(ownDigits, d.width);
      const sign = value < 0 ? '-' : '';
      const abs = String(Math.abs(value));
      const body = padFlag === '-' ? sign + abs : padFlag === '_' ? padTo(sign + abs, digits, ' ') : sign + padTo(abs, digits - sign.length, '0');
      out += padTo(body, d.width, d.pad === '0' ? '0' : ' ');
      continue;
    }
    // glibc's case flags: `#` upper-cases names and lower-cases %p; `^` upper-cases
    // everything, lower case winning. For %b/%B/%h glibc applies `#` before it checks the
    // modifier, so an invalid %#Eb is written literally in upper case (%#Ea is not).
    let upper = d.upper;
    let lower = conv === 'P';
    if (d.swapCase && conv !== undefined) {
      if ('bBh'.includes(conv) || ('aA'.includes(conv) && valid)) upper = true;
      else if (conv === 'p' || conv === 'Z') lower = true;
    }
    let s = (valid ? text(d) : undefined) ?? d.text;
    if (lower) s = s.toLowerCase();
    else if (upper) s = s.toUpperCase();
    out += padTo(s, d.width, d.pad === '0' ? '0' : ' ');
  }
  return out;
}

/**
 * Python's pass over a strftime format before glibc sees it: `%` and the next character
 * are a pair, and the pairs %f, %z and %Z are replaced by Python's values (a `%` in a zone
 * name doubled); every other pair stays for glibc, so `%_%%f` reaches glibc as `%_%%f`.
 */
function pythonStrftime(format: string, utcNs: bigint, zone: Zone): string {
  if (!format.includes('%f') && !format.includes('%z') && !format.includes('%Z')) return strftime(format, utcNs, zone);
  const { local, offset } = utcToLocal(zone, utcNs);
  let glibc = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i === format.length - 1) {
      glibc += c;
      continue;
    }
    const t = format[++i]!;
    // Microseconds: nanoseconds beyond them are truncated (documented precision loss).
    if (t === 'f') glibc += pad(Math.floor(fieldsOf(local).nano / 1000), 6);
    else if (t === 'z') glibc += formatOffset(offset, false);
    else if (t === 'Z') glibc += zone.abbrev(secondsOf(utcNs)).replace(/%/g, '%%');
    else glibc += '%' + t;
  }
  return strftime(glibc, utcNs, zone);
}

// ---------------------------------------------------------------- parsing

/**
 * Python _strptime's patterns (same alternation order, so the same matches). `\d` becomes
 * Python's `\d`, which is any Unicode decimal digit (`%Y` reads "𝟚𝟘𝟙𝟝" as 2015).
 */
const PARSE_PATTERNS: Readonly<Record<string, string>> = {
  d: '3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]',
  e: '3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]',
  H: '2[0-3]|[0-1]\\d|\\d',
  I: '1[0-2]|0[1-9]|[1-9]',
  m: '1[0-2]|0[1-9]|[1-9]',
  M: '[0-5]\\d|\\d',
  S: '6[0-1]|[0-5]\\d|\\d',
  f: '[0-9]{1,6}',
  y: '\\d\\d',
  Y: '\\d\\d\\d\\d',
  p: 'am|pm',
  // Python 3.11: ±HHMM, ±HH:MM, with optional seconds and a fraction of them, or Z (in upper
  // case only; a `z` is matched here and rejected by parseOffset).
  z: 'Z|[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?',
  a: DAY_NAMES.map((n) => n.slice(0, 3)).join('|'),
  A: DAY_NAMES.join('|'),
  b: MONTH_NAMES.map((n) => n.slice(0, 3)).join('|'),
  B: MONTH_NAMES.join('|'),
};

/** Python's `\s` (str.isspace), which differs from JavaScript's at U+001C–U+001F and U+FEFF. */
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_SPACE_RE = new RegExp(PY_SPACE);

interface CompiledFormat {
  /** Python's own regex. */
  re: RegExp;
  /**
   * The same with %f taking up to 9 digits (DTL datetimes keep nanoseconds), tried only when
   * Python's fails, so text Python reads is read as Python reads it (`%f%H` on "33131817"
   * is .331318 and 17 h, not .3313181 and 7 h).
   */
  nanos: RegExp | undefined;
  /** The directive behind each capture group, in format order. */
  directives: string[];
}

const formatCache = new Map<string, CompiledFormat | null>();

/**
 * Compiles a strptime format the way Python does: literal text is escaped, runs of
 * whitespace match any run of whitespace, matching ignores case and must consume the whole
 * string. An unknown or repeated directive makes the format invalid (Python raises).
 */
function compileFormat(format: string): CompiledFormat | undefined {
  let c = formatCache.get(format);
  if (c !== undefined) return c ?? undefined;
  c = null;
  let src = '';
  const directives: string[] = [];
  let ok = true;
  for (let i = 0; i < format.length && ok; i++) {
    const ch = format[i]!;
    if (ch === '%') {
      const t = format[++i];
      if (t === '%') src += '%';
      else if (t !== undefined && Object.hasOwn(PARSE_PATTERNS, t) && !directives.includes(t)) {
        src += '(' + PARSE_PATTERNS[t]!.replace(/\\d/g, '\\p{Nd}') + ')';
        directives.push(t);
      } else ok = false;
    } else if (PY_SPACE_RE.test(ch)) {
      while (i + 1 < format.length && PY_SPACE_RE.test(format[i + 1]!)) i++;
      src += PY_SPACE + '+';
    } else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  if (ok) {
    const re = new RegExp('^' + src + '$', 'iu');
    const nanos = directives.includes('f') ? new RegExp('^' + src.replace('([0-9]{1,6})', '([0-9]{1,9})') + '$', 'iu') : undefined;
    c = { re, nanos, directives };
  }
  if (formatCache.size > 1000) formatCache.clear();
  formatCache.set(format, c);
  return c ?? undefined;
}

/** The value of a run of Unicode decimal digits, as Python's int() reads it. */
function digitsValue(text: string): number {
  if (/^[0-9]*$/.test(text)) return Number(text);
  let n = 0;
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    // Unicode assigns decimal digits in runs of 0–9 (a stability policy), so a digit's value
    // is its distance from the start of its run of digits, modulo 10.
    let start = cp;
    while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    cp = (cp - start) % 10;
    n = n * 10 + cp;
  }
  return n;
}

function monthIndex(names: string[], text: string, abbrev: boolean): number {
  const t = text.toLowerCase();
  return names.findIndex((n) => (abbrev ? n.slice(0, 3) : n).toLowerCase() === t) + 1;
}

/**
 * A %z offset in nanoseconds, read as Python 3.11 reads it: a colon after the hours needs
 * one after the minutes too when seconds follow, and the offset must be less than a day.
 */
function parseOffset(text: string): bigint | undefined {
  if (text === 'Z') return 0n;
  if (text === 'z') return undefined; // Python matches Z case-sensitively
  let body = text.slice(1);
  if (body[2] === ':') {
    body = body.slice(0, 2) + body.slice(3);
    if (body.length > 4) {
      if (body[4] !== ':') return undefined;
      body = body.slice(0, 4) + body.slice(5);
    }
  } else if (body.includes(':')) return undefined;
  const [whole, fraction = ''] = body.split('.');
  const secs = digitsValue(whole!.slice(0, 2)) * 3600 + digitsValue(whole!.slice(2, 4)) * 60 + digitsValue(whole!.slice(4, 6) || '0');
  const ns = BigInt(secs) * NS_PER_SEC + BigInt(fraction === '' ? 0 : digitsValue(fraction.padEnd(9, '0')));
  if (ns >= NS_PER_DAY) return undefined;
  return text[0] === '-' ? -ns : ns;
}

/** strptime; undefined when the text does not match or names an impossible date. */
function strptime(format: CompiledFormat, text: string, zone: Zone): DateTime | undefined {
  const m = format.re.exec(text) ?? format.nanos?.exec(text);
  if (!m) return undefined;
  const f: Fields = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, nano: 0 };
  let hour12: number | undefined;
  let pm: boolean | undefined;
  let offset: bigint | undefined;
  let badOffset = false;
  format.directives.forEach((d, i) => {
    const v = m[i + 1]!;
    switch (d) {
      case 'd':
      case 'e': f.day = digitsValue(v.trim()); break;
      case 'H': f.hour = digitsValue(v); hour12 = undefined; break;
      case 'I': hour12 = Number(v); break;
      case 'm': f.month = Number(v); break;
      case 'M': f.minute = digitsValue(v); break;
      case 'S': f.second = digitsValue(v); break;
      case 'f': f.nano = Number(v.padEnd(9, '0')); break;
      case 'y': {
        const y = digitsValue(v);
        f.year = y + (y < 69 ? 2000 : 1900);
        break;
      }
      case 'Y': f.year = digitsValue(v); break;
      case 'p': pm = v.toLowerCase() === 'pm'; break;
      case 'z': offset = parseOffset(v); badOffset = offset === undefined; break;
      case 'b': f.month = monthIndex(MONTH_NAMES, v, true); break;
      case 'B': f.month = monthIndex(MONTH_NAMES, v, false); break;
      // %a/%A are matched and, as in Python, otherwise ignored.
    }
  });
  // Python: %I without %p, or with AM, maps 12 to 0; PM adds 12 except to 12.
  if (hour12 !== undefined) f.hour = pm ? (hour12 === 12 ? 12 : hour12 + 12) : hour12 === 12 ? 0 : hour12;
  if (badOffset || !validFields(f)) return undefined;
  const local = nsOf(f);
  // An explicit offset in the text wins over the TZ argument.
  return inRange(offset !== undefined ? local - offset : localToUtc(zone, local));
}

// ---------------------------------------------------------------- the datetime cast

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * ISO 8601 text: a date (midnight UTC), or date and time with optional seconds, fraction
 * (to nanoseconds) and zone (`Z`, `±HH`, `±HHMM`, `±HH:MM`); no zone means UTC.
 */
function parseIso(text: string): DateTime | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const f: Fields = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0),
    nano: m[7] ? Number(m[7].padEnd(9, '0')) : 0,
  };
  if (!validFields(f)) return undefined;
  let offset = 0;
  if (m[8] && m[8] !== 'Z') {
    const digits = m[8].slice(1).replace(':', '');
    offset = (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60) * (m[8][0] === '-' ? -1 : 1);
  }
  return inRange(nsOf(f) - BigInt(offset) * NS_PER_SEC);
}

/**
 * The `datetime` cast: datetimes as they are, dates as midnight UTC, integers as
 * nanoseconds since the epoch (negative: before it), ISO 8601 strings. Floats, decimals,
 * booleans and other types fail the cast.
 */
function toDateTime(x: Value): Value | undefined {
  if (x instanceof DateTime) return x;
  if (x instanceof DateValue) return new DateTime(x.ns);
  if (typeof x === 'number' || typeof x === 'bigint') return inRange(BigInt(x));
  if (typeof x === 'string') return parseIso(x);
  return undefined;
}

// ---------------------------------------------------------------- arithmetic

function asDateTime(v: Value | undefined): DateTime | undefined {
  return v instanceof Typed && v.tag === 'datetime' ? (v as DateTime) : undefined;
}

/**
 * Whole months of a − b, as dateutil's relativedelta counts them: the largest n (toward
 * zero) for which b + n months (with datetime-plus's month-end clamping) does not go past a.
 * So 2016-02-29 → 2017-02-28 is 12 months (b + 1 year lands exactly on a), while
 * 2015-02-28 → 2015-01-31 is 0 months: the count is consistent with datetime-plus rather
 * than symmetric.
 */
function monthsBetween(a: bigint, b: bigint): number {
  const fa = fieldsOf(a);
  const fb = fieldsOf(b);
  let months = (fa.year - fb.year) * 12 + (fa.month - fb.month);
  const shifted = (n: number): bigint => shiftMonths(fb, n);
  if (a >= b) {
    while (months > 0 && a < shifted(months)) months--;
  } else {
    while (months < 0 && a > shifted(months)) months++;
  }
  return months;
}

/** `f` plus `months` calendar months, the day clamped to the month's length (no range check). */
function shiftMonths(f: Fields, months: number): bigint {
  const total = f.year * 12 + (f.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return nsOf({ ...f, year, month, day: Math.min(f.day, daysInMonth(year, month)) });
}

/**
 * Adds months: the day is clamped to the last day of the target month (2016-01-31 + 1
 * month = 2016-02-29, 2016-02-29 + 1 year = 2017-02-28), as dateutil's relativedelta does;
 * the time of day is kept.
 */
function addMonths(ns: bigint, months: number): DateTime | undefined {
  const f = fieldsOf(ns);
  const total = f.year * 12 + (f.month - 1) + months;
  if (!Number.isSafeInteger(total) || total < 12 || total >= 10000 * 12) return undefined;
  return inRange(shiftMonths(f, months));
}

function integerArg(v: Value | undefined): bigint | undefined {
  const x = intArg(v);
  return x === undefined ? undefined : BigInt(x);
}

export const DATETIME: FunctionTable = {
  datetime: (_cx: FnContext, deflt: Lambda | undefined, values: Value | undefined): Value => castValues(values, toDateTime, deflt),

  /**
   * START − END in whole DATEPART units, truncated toward zero (the documented sign: the
   * day from 07-28 to 07-29 is −1). null when a side is not a datetime (first values are
   * used) or the part is unknown.
   */
  'datetime-diff': (_cx: FnContext, datepart: Value | undefined, start: Value | undefined, end: Value | undefined): Value => {
    const part = strArg(datepart);
    const a = asDateTime(firstValue(start));
    const b = asDateTime(firstValue(end));
    if (part === undefined || !a || !b) return null;
    const unit = FIXED_UNITS.get(part);
    if (unit !== undefined) return normInt((a.ns - b.ns) / unit);
    if (part !== 'month' && part !== 'year') return null;
    const months = monthsBetween(a.ns, b.ns);
    return part === 'month' ? months : Math.trunc(months / 12) + 0;
  },

  'datetime-format': (_cx: FnContext, tz: Value | undefined, format: Value | undefined, values: Value | undefined): Value => {
    const zone = zoneOf(tz);
    const fmt = strArg(format);
    return mapValues(values, (x) => {
      const d = asDateTime(x);
      return d && zone && fmt !== undefined ? pythonStrftime(fmt, d.ns, zone) : undefined;
    });
  },

  'datetime-parse': (_cx: FnContext, tz: Value | undefined, format: Value | undefined, values: Value | undefined): Value => {
    const zone = zoneOf(tz);
    const fmt = strArg(format);
    const compiled = fmt === undefined ? undefined : compileFormat(fmt);
    return mapValues(values, (x) => (typeof x === 'string' && zone && compiled ? strptime(compiled, x, zone) : undefined));
  },

  'datetime-plus': (_cx: FnContext, datepart: Value | undefined, amount: Value | undefined, values: Value | undefined): Value => {
    const part = strArg(datepart);
    const n = integerArg(amount);
    const unit = part === undefined ? undefined : FIXED_UNITS.get(part);
    const months = part === 'month' ? n : part === 'year' && n !== undefined ? n * 12n : undefined;
    return mapValues(values, (x) => {
      const d = asDateTime(x);
      if (!d || n === undefined) return undefined;
      if (unit !== undefined) return inRange(d.ns + n * unit);
      if (months === undefined) return undefined;
      // More months than the calendar range has cannot land inside it.
      return months > 200_000n || months < -200_000n ? undefined : addMonths(d.ns, Number(months));
    });
  },

  /** Reads the UTC wall clock as FROM_TZ local time and writes the TO_TZ wall clock as UTC. */
  'datetime-shift': (_cx: FnContext, fromTz: Value | undefined, toTz: Value | undefined, values: Value | undefined): Value => {
    // Both zones are required here; a missing name is not "UTC".
    const from = fromTz === undefined || fromTz === null ? undefined : zoneOf(fromTz);
    const to = toTz === undefined || toTz === null ? undefined : zoneOf(toTz);
    return mapValues(values, (x) => {
      const d = asDateTime(x);
      if (!d || !from || !to) return undefined;
      const instant = localToUtc(from, d.ns);
      return inRange(utcToLocal(to, instant).local);
    });
  },

  'is-datetime': (_cx: FnContext, values: Value | undefined): Value => asDateTime(firstValue(values)) !== undefined,

  now: (cx: FnContext): Value => cx.now(),
};
