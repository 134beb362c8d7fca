/**
 * Date and time functions: every documented example of dtl-functions-date-and-time.rst,
 * plus edge cases (DST gaps and overlaps, leap years, month ends, ranges, bad input).
 */
import assert from 'node:assert/strict';
import { DATETIME } from '../../src/functions/datetime.js';
import type { FnContext, FunctionImpl, Lambda } from '../../src/functions/types.js';
import { writeCanonical } from '../../src/values/json.js';
import { decodeTransitString } from '../../src/values/transit.js';
import { DateTime, DateValue, Float, type Value } from '../../src/values/types.js';
import { testContext } from '../helpers.js';

const NOW = '~t2020-01-01T00:00:00Z'; // testContext().now()
const cx = testContext();
const list = (...xs: Value[]): Value[] => xs;
const t = (s: string): Value => decodeTransitString('~t' + s);

function call(name: string, ...args: Array<Value | Lambda | undefined>): Value {
  const fn = DATETIME[name] as FunctionImpl | undefined;
  assert.ok(fn, `DATETIME has ${name}`);
  return (fn as unknown as (cx: FnContext, ...a: Array<Value | Lambda | undefined>) => Value)(cx, ...args);
}

function check(expected: string, name: string, ...args: Array<Value | Lambda | undefined>): void {
  assert.equal(writeCanonical(call(name, ...args)), expected);
}

/** `["datetime-parse", FORMAT, VALUE]` without TZ. */
const parse = (format: string, v: Value): Value => call('datetime-parse', undefined, format, v);
const ymd = (s: string): Value => parse('%Y-%m-%d', s);

describe('functions/datetime', () => {
  describe('documented examples', () => {
    it('datetime', () => {
      check('"~t2015-07-28T09:46:00.12345Z"', 'datetime', undefined, '2015-07-28T09:46:00.12345Z');
      check('"~t2015-07-28T09:46:00.12345Z"', 'datetime', undefined, 1438076760123450000n);
      check(`["${NOW}","${NOW}"]`, 'datetime', undefined, list(call('now'), call('now'), 'hello'));
      check(`"${NOW}"`, 'datetime', () => call('now'), 'hello');
    });
    it('datetime-diff (sign is START − END)', () => {
      check('-1', 'datetime-diff', 'day', ymd('2015-07-28'), ymd('2015-07-29'));
      check('1', 'datetime-diff', 'day', ymd('2015-07-29'), ymd('2015-07-28'));
      check('-1', 'datetime-diff', 'year', ymd('2015-03-02'), ymd('2016-07-29'));
      check('-16', 'datetime-diff', 'month', ymd('2015-03-02'), ymd('2016-07-29'));
    });
    it('datetime-format', () => {
      check('"2015-07-28T00:00:00Z"', 'datetime-format', undefined, '%Y-%m-%dT%H:%M:%SZ', ymd('2015-07-28'));
      const naive = parse('%Y-%m-%dT%H:%M:%S', '2018-08-18T12:39:01');
      check('"2018-08-18 12:39:01"', 'datetime-format', undefined, '%Y-%m-%d %H:%M:%S', naive);
      check('"2018-08-18 14:39:01"', 'datetime-format', 'Europe/Oslo', '%Y-%m-%d %H:%M:%S', naive);
      const oslo = call('datetime-parse', 'Europe/Oslo', '%Y-%m-%dT%H:%M:%S', '2018-08-18T12:39:01');
      check('"2018-08-18 12:39:01"', 'datetime-format', 'Europe/Oslo', '%Y-%m-%d %H:%M:%S', oslo);
    });
    it('datetime-parse', () => {
      check('"~t2015-07-28T09:46:00.12345Z"', 'datetime-parse', undefined, '%Y-%m-%dT%H:%M:%S.%fZ', '2015-07-28T09:46:00.12345Z');
      check('"~t2015-07-28T07:46:00Z"', 'datetime-parse', undefined, '%Y-%m-%dT%H:%M:%S%z', '2015-07-28T09:46:00+0200');
      check('"~t2015-07-28T00:00:00Z"', 'datetime-parse', undefined, '%d.%m.%Y', '28.07.2015');
      check('["~t2015-07-28T00:00:00Z","~t1970-01-01T00:00:00Z"]', 'datetime-parse', undefined, '%d.%m.%Y', list('28.07.2015', '01.01.1970'));
      // The docs print 2018-08-08T10:39:01Z, a typo for the 18th (spec §5.20).
      check('"~t2018-08-18T10:39:01Z"', 'datetime-parse', 'Europe/Oslo', '%Y-%m-%dT%H:%M:%S', '2018-08-18T12:39:01');
    });
    it('datetime-plus', () => {
      check('"~t2015-07-29T00:00:00Z"', 'datetime-plus', 'day', 1, ymd('2015-07-28'));
      check('"~t2016-02-29T23:00:00Z"', 'datetime-plus', 'hour', -1, ymd('2016-03-01'));
      check('["~t1972-01-01T00:00:00Z","~t1951-06-01T00:00:00Z"]', 'datetime-plus', 'year', 1, list(ymd('1971-01-01'), ymd('1950-06-01')));
    });
    it('datetime-shift', () => {
      const f = '%Y/%m/%d %H:%M';
      check('"~t2015-07-28T07:46:00Z"', 'datetime-shift', 'Europe/Oslo', 'UTC', parse(f, '2015/07/28 09:46'));
      check('"~t2015-07-28T11:46:00Z"', 'datetime-shift', 'UTC', 'Europe/Oslo', parse(f, '2015/07/28 09:46'));
      check('["~t2015-07-28T07:46:00Z","~t2015-07-28T02:46:00Z"]', 'datetime-shift', 'Europe/Oslo', 'UTC', list(parse(f, '2015/07/28 09:46'), parse(f, '2015/07/28 04:46')));
    });
    it('is-datetime', () => {
      check('true', 'is-datetime', call('now'));
      check('true', 'is-datetime', call('datetime', undefined, '2015-07-28T09:46:00.12345Z'));
      check('false', 'is-datetime', '2015-07-28T09:46:00.12345Z');
      check('false', 'is-datetime', list('1', 2));
    });
    it('now uses the context clock', () => {
      check(`"${NOW}"`, 'now');
      const clock = testContext({ now: () => new DateTime(1463149920431000000n) });
      assert.equal(writeCanonical((DATETIME.now as unknown as (c: FnContext) => Value)(clock)), '"~t2016-05-13T14:32:00.431Z"');
    });
  });

  describe('datetime cast', () => {
    it('integers are nanoseconds since the epoch, negative before it', () => {
      check('["~t1970-01-01T00:00:00Z","~t1969-12-31T23:59:59.999999999Z","~t1970-01-01T00:00:01Z"]', 'datetime', undefined, list(0, -1, 1_000_000_000));
    });
    it('ISO 8601 variants; no zone means UTC', () => {
      check(
        '["~t2015-07-28T00:00:00Z","~t2015-07-28T09:46:00Z","~t2015-07-28T07:46:00Z","~t2015-07-28T12:16:00Z","~t2015-07-28T09:46:00.000000001Z"]',
        'datetime',
        undefined,
        list('2015-07-28', '2015-07-28 09:46', '2015-07-28T09:46:00+02:00', '2015-07-28T09:46:00-0230', '2015-07-28T09:46:00.000000001Z'),
      );
    });
    it('datetimes pass, dates become midnight', () => {
      check('["~t2015-07-28T09:46:00Z","~t2015-12-31T00:00:00Z"]', 'datetime', undefined, list(t('2015-07-28T09:46:00Z'), new DateValue(2015, 12, 31)));
    });
    it('invalid input is dropped or defaulted, nulls skipped', () => {
      check('[]', 'datetime', undefined, list('hello', '2015-02-29', '2015-13-01', '2015-07-28T24:00:00Z', new Float(1.5), true, { a: 1 }));
      check('null', 'datetime', undefined, null);
      check('[0,0]', 'datetime', () => 0, list(null, 'x', true));
    });
    it('the range is the years 1–9999', () => {
      check('["~t0001-01-01T00:00:00Z","~t9999-12-31T23:59:59.999999999Z"]', 'datetime', undefined, list('0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z'));
      check('[]', 'datetime', undefined, list(-62135596800000000001n, 253402300800000000000n, '0000-01-01'));
    });
  });

  describe('datetime-diff', () => {
    const a = t('2015-07-28T09:46:00.123456789Z');
    it('every date part, truncated toward zero', () => {
      const b = t('2015-07-29T10:47:01.123456788Z'); // a − b is −(1d 1h 1m 1s − 1ns)
      const expected: Record<string, string> = {
        nanosecond: '-90060999999999',
        microsecond: '-90060999999',
        millisecond: '-90060999',
        second: '-90060',
        minute: '-1501',
        hour: '-25',
        day: '-1',
        week: '0',
        month: '0',
        year: '0',
      };
      for (const [part, v] of Object.entries(expected)) check(v, 'datetime-diff', part, a, b);
      for (const [part, v] of Object.entries(expected)) check(v === '0' ? '0' : v.slice(1), 'datetime-diff', part, b, a);
    });
    it('±11 months is 0 years, ±8 days is ±1 week', () => {
      check('0', 'datetime-diff', 'year', ymd('2016-12-01'), ymd('2016-01-01'));
      check('0', 'datetime-diff', 'year', ymd('2016-01-01'), ymd('2016-12-01'));
      check('1', 'datetime-diff', 'week', ymd('2016-01-09'), ymd('2016-01-01'));
      check('-1', 'datetime-diff', 'week', ymd('2016-01-01'), ymd('2016-01-09'));
    });
    it('months: the largest n for which END + n months does not pass START (dateutil)', () => {
      // Consistent with datetime-plus's clamping: 01-31 + 1 month is 02-28.
      check('1', 'datetime-diff', 'month', ymd('2015-02-28'), ymd('2015-01-31'));
      check('0', 'datetime-diff', 'month', ymd('2015-01-31'), ymd('2015-02-28'));
      check('0', 'datetime-diff', 'month', ymd('2015-02-27'), ymd('2015-01-31'));
      check('1', 'datetime-diff', 'month', ymd('2015-02-28'), ymd('2015-01-28'));
      check('0', 'datetime-diff', 'month', t('2015-02-28T09:00:00Z'), t('2015-01-28T10:00:00Z'));
      check('-1', 'datetime-diff', 'month', ymd('2015-01-28'), ymd('2015-02-28'));
      check('12', 'datetime-diff', 'month', ymd('2017-02-28'), ymd('2016-02-29'));
      check('1', 'datetime-diff', 'year', ymd('2017-02-28'), ymd('2016-02-29'));
      check('0', 'datetime-diff', 'year', ymd('2017-02-27'), ymd('2016-02-29'));
      check('1', 'datetime-diff', 'year', ymd('2017-03-01'), ymd('2016-02-29'));
      check('-119987', 'datetime-diff', 'month', ymd('0001-01-01'), ymd('9999-12-31'));
    });
    it('leap days count', () => {
      check('366', 'datetime-diff', 'day', ymd('2017-01-01'), ymd('2016-01-01'));
      check('365', 'datetime-diff', 'day', ymd('2101-01-01'), ymd('2100-01-01'));
      check('29', 'datetime-diff', 'day', ymd('2000-03-01'), ymd('2000-02-01'));
    });
    it('first values are used; non-datetimes and unknown parts give null', () => {
      check('-1', 'datetime-diff', 'day', list(ymd('2015-07-28'), 'x'), list(ymd('2015-07-29')));
      check('null', 'datetime-diff', 'day', null, ymd('2015-07-29'));
      check('null', 'datetime-diff', 'day', '2015-07-28', ymd('2015-07-29'));
      check('null', 'datetime-diff', 'days', ymd('2015-07-28'), ymd('2015-07-29'));
      check('null', 'datetime-diff', 'constructor', ymd('2015-07-28'), ymd('2015-07-29'));
      check('null', 'datetime-diff', 'day', list(), ymd('2015-07-29'));
    });
  });

  describe('datetime-format', () => {
    const d = t('2018-08-05T07:09:03.123456789Z'); // a Sunday
    it('documented tokens', () => {
      check('"05| 5|07|07|08|09|03|AM|123456|18|2018|+0000|%"', 'datetime-format', undefined, '%d|%e|%H|%I|%m|%M|%S|%p|%f|%y|%Y|%z|%%', d);
      check('"19|07|PM"', 'datetime-format', undefined, '%H|%I|%p', t('2018-08-05T19:00:00Z'));
      check('"12|00|AM"', 'datetime-format', undefined, '%I|%H|%p', t('2018-08-05T00:00:00Z'));
      check('"12|PM"', 'datetime-format', undefined, '%I|%p', t('2018-08-05T12:00:00Z'));
    });
    it('other strftime tokens (C locale)', () => {
      check('"Sun|Sunday|Aug|August|Aug|217|0|7|31|31|2018-W31-7|18|Sun Aug  5 07:09:03 2018|08/05/18|07:09:03|2018-08-05|07:09|07:09:03 AM|UTC"', 'datetime-format', undefined,
        '%a|%A|%b|%B|%h|%j|%w|%u|%U|%W|%G-W%V-%u|%g|%c|%x|%X|%F|%R|%r|%Z', d);
      check('["2020-W53","2021-W01","2019-W01"]', 'datetime-format', undefined, '%G-W%V', list(t('2021-01-03T00:00:00Z'), t('2021-01-04T00:00:00Z'), t('2018-12-31T00:00:00Z')));
      check('"%q|%"', 'datetime-format', undefined, '%q|%', d); // unknown tokens are literal
    });
    it('%y maps 2000–2068 to 00–68, 1969–1999 to 69–99, else the last two digits', () => {
      check('["00","68","69","99","50","05"]', 'datetime-format', undefined, '%y', list(ymd('2000-01-01'), ymd('2068-01-01'), ymd('1969-01-01'), ymd('1999-01-01'), ymd('1850-01-01'), ymd('2105-01-01')));
    });
    it('%Y is four digits for early years; %f truncates nanoseconds', () => {
      check('"0005-01-01"', 'datetime-format', undefined, '%Y-%m-%d', ymd('0005-01-01'));
      check('"999999"', 'datetime-format', undefined, '%f', t('2018-01-01T00:00:00.999999999Z'));
    });
    it('DST transitions in Europe/Oslo', () => {
      const f = '%Y-%m-%d %H:%M:%S %z %Z';
      check('["2018-03-25 01:59:59 +0100 CET","2018-03-25 03:00:00 +0200 CEST"]', 'datetime-format', 'Europe/Oslo', f, list(t('2018-03-25T00:59:59Z'), t('2018-03-25T01:00:00Z')));
      check('["2018-10-28 02:59:59 +0200 CEST","2018-10-28 02:00:00 +0100 CET"]', 'datetime-format', 'Europe/Oslo', f, list(t('2018-10-28T00:59:59Z'), t('2018-10-28T01:00:00Z')));
    });
    it('other zones', () => {
      const d2 = t('2018-01-15T12:00:00Z');
      check('"2018-01-15 07:00 -0500 EST"', 'datetime-format', 'America/New_York', '%Y-%m-%d %H:%M %z %Z', d2);
      check('"2018-01-15 23:00 +1100"', 'datetime-format', 'Australia/Sydney', '%Y-%m-%d %H:%M %z', d2);
      check('"2018-01-15 17:30 +0530"', 'datetime-format', 'Asia/Kolkata', '%Y-%m-%d %H:%M %z', d2);
      check('"2018-01-15 11:00 -0100"', 'datetime-format', 'Etc/GMT+1', '%Y-%m-%d %H:%M %z', d2);
      check('"2018-01-15 04:00 -0800"', 'datetime-format', 'US/Pacific', '%Y-%m-%d %H:%M %z', d2);
      check('"2018-01-01 00:59"', 'datetime-format', 'Europe/Oslo', '%Y-%m-%d %H:%M', t('2017-12-31T23:59:00Z'));
    });
    it('non-datetimes are dropped; a bad zone or format drops everything', () => {
      check('["2018"]', 'datetime-format', undefined, '%Y', list('2018-01-01', 2018, d, new DateValue(2018, 1, 1), null));
      check('null', 'datetime-format', undefined, '%Y', '2018-01-01');
      check('null', 'datetime-format', undefined, '%Y', null);
      check('[]', 'datetime-format', 'Mars/Olympus', '%Y', list(d));
      check('[]', 'datetime-format', 1, '%Y', list(d));
      check('null', 'datetime-format', undefined, 5, d);
    });
  });

  describe('datetime-parse', () => {
    it('%y pivot: 00–68 → 20xx, 69–99 → 19xx', () => {
      check('["~t2000-01-01T00:00:00Z","~t2068-01-01T00:00:00Z","~t1969-01-01T00:00:00Z","~t1999-01-01T00:00:00Z"]', 'datetime-parse', undefined, '%y', list('00', '68', '69', '99'));
    });
    it('%I and %p', () => {
      check(
        '["~t2015-01-01T00:30:00Z","~t2015-01-01T12:30:00Z","~t2015-01-01T13:30:00Z","~t2015-01-01T09:30:00Z","~t2015-01-01T00:30:00Z"]',
        'datetime-parse', undefined, '%Y-%m-%d %I:%M %p', list('2015-01-01 12:30 AM', '2015-01-01 12:30 pm', '2015-01-01 1:30 PM', '2015-01-01 09:30 am', '2015-01-01 12:30 am'),
      );
      check('"~t2015-01-01T00:30:00Z"', 'datetime-parse', undefined, '%Y-%m-%d %I:%M', '2015-01-01 12:30');
    });
    it('%z forms; an explicit offset wins over TZ', () => {
      check(
        '["~t2015-07-28T07:46:00Z","~t2015-07-28T07:46:00Z","~t2015-07-28T12:16:00Z","~t2015-07-28T09:46:00Z"]',
        'datetime-parse', 'Europe/Oslo', '%Y-%m-%dT%H:%M:%S%z', list('2015-07-28T09:46:00+0200', '2015-07-28T09:46:00+02:00', '2015-07-28T09:46:00-02:30', '2015-07-28T09:46:00Z'),
      );
      check('[]', 'datetime-parse', undefined, '%Y-%m-%dT%H:%M:%S%z', list('2015-07-28T09:46:00', '2015-07-28T09:46:00+2', '2015-07-28T09:46:00z'));
    });
    it('%e, %f to nanoseconds, month names, whitespace, case', () => {
      check('["~t2015-07-05T00:00:00Z","~t2015-07-05T00:00:00Z"]', 'datetime-parse', undefined, '%e.%m.%Y', list('5.07.2015', ' 5.07.2015'));
      check('"~t2015-07-28T09:46:00.123456789Z"', 'datetime-parse', undefined, '%Y-%m-%dT%H:%M:%S.%f', '2015-07-28T09:46:00.123456789');
      check('"~t2015-07-28T00:00:00Z"', 'datetime-parse', undefined, '%a %d %b %Y', 'tue 28 JUL 2015');
      check('"~t2015-07-28T00:00:00Z"', 'datetime-parse', undefined, '%d %B %Y', '28   july 2015');
      check('"~t1900-01-01T10:00:00Z"', 'datetime-parse', undefined, '%H', '10');
    });
    it('the whole string must match and the date must exist', () => {
      check('[]', 'datetime-parse', undefined, '%Y-%m-%d', list('2015-07-28x', 'x2015-07-28', '2015-02-29', '2015-04-31', '0000-01-01', '2015-7'));
      check('["~t2016-02-29T00:00:00Z","~t2000-02-29T00:00:00Z"]', 'datetime-parse', undefined, '%Y-%m-%d', list('2016-02-29', '2000-02-29', '1900-02-29'));
      check('[]', 'datetime-parse', undefined, '%H:%M:%S', list('24:00:00', '23:60:00', '23:59:60'));
    });
    it('DST gap and overlap resolve to standard time (pytz is_dst=False)', () => {
      const f = '%Y-%m-%d %H:%M';
      check(
        '["~t2018-03-25T00:59:00Z","~t2018-03-25T01:30:00Z","~t2018-03-25T01:00:00Z","~t2018-10-27T23:59:00Z","~t2018-10-28T01:30:00Z","~t2018-10-28T02:00:00Z"]',
        'datetime-parse', 'Europe/Oslo', f,
        list('2018-03-25 01:59', '2018-03-25 02:30', '2018-03-25 03:00', '2018-10-28 01:59', '2018-10-28 02:30', '2018-10-28 03:00'),
      );
      check('["~t2018-03-11T07:30:00Z","~t2018-11-04T06:30:00Z"]', 'datetime-parse', 'America/New_York', f, list('2018-03-11 02:30', '2018-11-04 01:30'));
    });
    it('format and parse round-trip in a zone, across the year', () => {
      for (let m = 1; m <= 12; m++) {
        const utc = t(`2019-${String(m).padStart(2, '0')}-15T12:34:56.789Z`);
        const text = call('datetime-format', 'Europe/Oslo', '%Y-%m-%d %H:%M:%S.%f', utc);
        assert.equal(writeCanonical(call('datetime-parse', 'Europe/Oslo', '%Y-%m-%d %H:%M:%S.%f', text)), writeCanonical(utc));
      }
    });
    it('non-strings are dropped; bad formats and zones drop everything', () => {
      check('["~t2015-01-01T00:00:00Z"]', 'datetime-parse', undefined, '%Y', list(2015, '2015', null, t('2015-01-01T00:00:00Z')));
      check('[]', 'datetime-parse', undefined, '%Y %Q', list('2015 x'));
      check('[]', 'datetime-parse', undefined, '%Y %Y', list('2015 2015'));
      check('[]', 'datetime-parse', undefined, '%Y %', list('2015 %'));
      check('[]', 'datetime-parse', 'No/Such_Zone', '%Y', list('2015'));
      check('null', 'datetime-parse', undefined, null, '2015');
      check('null', 'datetime-parse', undefined, '%Y', null);
      check('"~t2015-01-01T00:00:00Z"', 'datetime-parse', undefined, '100%% %Y', '100% 2015');
      check('"~t2015-01-01T00:00:00Z"', 'datetime-parse', undefined, '(%Y)[x]*', '(2015)[X]*');
    });
  });

  describe('datetime-plus', () => {
    it('fixed units', () => {
      const d = t('2015-07-28T09:46:00Z');
      const parts: Array<[string, number, string]> = [
        ['week', 1, '2015-08-04T09:46:00Z'],
        ['minute', -1, '2015-07-28T09:45:00Z'],
        ['second', 1, '2015-07-28T09:46:01Z'],
        ['millisecond', 1, '2015-07-28T09:46:00.001Z'],
        ['microsecond', 1, '2015-07-28T09:46:00.000001Z'],
        ['nanosecond', -1, '2015-07-28T09:45:59.999999999Z'],
      ];
      for (const [part, n, expected] of parts) check(`"~t${expected}"`, 'datetime-plus', part, n, d);
    });
    it('months clamp to the last day of the month', () => {
      check('["~t2016-02-29T10:00:00Z","~t2015-02-28T10:00:00Z","~t2016-04-30T10:00:00Z","~t2017-01-31T10:00:00Z"]', 'datetime-plus', 'month', 1,
        list(t('2016-01-31T10:00:00Z'), t('2015-01-31T10:00:00Z'), t('2016-03-31T10:00:00Z'), t('2016-12-31T10:00:00Z')));
      check('"~t2015-11-29T00:00:00Z"', 'datetime-plus', 'month', -3, ymd('2016-02-29'));
      check('"~t2016-02-29T00:00:00Z"', 'datetime-plus', 'month', -3, ymd('2016-05-31'));
      check('"~t2017-02-28T00:00:00Z"', 'datetime-plus', 'year', 1, ymd('2016-02-29'));
      check('"~t2020-02-29T00:00:00Z"', 'datetime-plus', 'year', 4, ymd('2016-02-29'));
      check('"~t2015-02-28T00:00:00Z"', 'datetime-plus', 'year', -1, ymd('2016-02-29'));
    });
    it('results outside the years 1–9999 are dropped', () => {
      check('[]', 'datetime-plus', 'year', 1, list(ymd('9999-06-01')));
      check('[]', 'datetime-plus', 'day', -1, list(ymd('0001-01-01')));
      check('[]', 'datetime-plus', 'month', 10n ** 30n, list(ymd('2000-01-01')));
      check('"~t9999-12-31T00:00:00Z"', 'datetime-plus', 'day', 2932896, ymd('1970-01-01'));
    });
    it('bad parts, amounts and values', () => {
      check('[]', 'datetime-plus', 'days', 1, list(ymd('2015-01-01')));
      check('[]', 'datetime-plus', 'toString', 1, list(ymd('2015-01-01')));
      check('[]', 'datetime-plus', 'day', new Float(1.5), list(ymd('2015-01-01')));
      check('[]', 'datetime-plus', 'day', '1', list(ymd('2015-01-01')));
      check('null', 'datetime-plus', 'day', 1, '2015-01-01');
      check('null', 'datetime-plus', 'day', 1, null);
      check('"~t2015-01-03T00:00:00Z"', 'datetime-plus', 'day', list(2, 5), ymd('2015-01-01'));
    });
  });

  describe('datetime-shift', () => {
    it('across DST, and between two non-UTC zones', () => {
      // Winter: Oslo is +1.
      check('"~t2015-01-28T08:46:00Z"', 'datetime-shift', 'Europe/Oslo', 'UTC', t('2015-01-28T09:46:00Z'));
      check('"~t2015-07-28T03:46:00Z"', 'datetime-shift', 'Europe/Oslo', 'America/New_York', t('2015-07-28T09:46:00Z'));
      // 02:30 does not exist in Oslo on 2018-03-25: read as standard time (01:30Z).
      check('"~t2018-03-25T01:30:00Z"', 'datetime-shift', 'Europe/Oslo', 'UTC', t('2018-03-25T02:30:00Z'));
    });
    it('bad input', () => {
      check('[]', 'datetime-shift', 'Europe/Oslo', 'Nowhere', list(t('2015-01-28T09:46:00Z')));
      check('[]', 'datetime-shift', null, 'UTC', list(t('2015-01-28T09:46:00Z')));
      check('["~t2015-01-28T08:46:00Z"]', 'datetime-shift', 'Europe/Oslo', 'UTC', list('2015-01-28T09:46:00Z', t('2015-01-28T09:46:00Z')));
      check('null', 'datetime-shift', 'Europe/Oslo', 'UTC', null);
    });
  });

  describe('is-datetime', () => {
    it('edge cases', () => {
      check('false', 'is-datetime', null);
      check('false', 'is-datetime', list());
      check('false', 'is-datetime', new DateValue(2015, 1, 1));
      check('true', 'is-datetime', list(t('2015-01-01T00:00:00Z'), 'x'));
    });
  });
});
