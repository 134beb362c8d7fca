/**
 * The write path's serialiser. It writes the stored line of a version (record.ts describes
 * the layout) as UTF-8 straight into the log's staging buffer, and hashes the canonical
 * content in place (md5.ts), so no string is built, flattened, hashed and then encoded
 * again. The bytes are exactly those of `recordLine(prepareEntity(e))`, i.e. of
 * `writeCanonical` (values/json.ts) of the version: a test holds the three together.
 *
 * The content that `_hash` covers is the line minus `"_hash":"…",` and minus
 * `,"_previous":…,"_ts":…,"_updated":…`; every metadata value is known before the entity is
 * serialised (the hash has a fixed width), so the line is written once, in its final
 * layout, and the three content pieces are hashed where they lie. Only a line that turns
 * out to need the exact reader (floats, big integers) is shifted by one byte for its
 * leading space.
 *
 * Sorting keys and encoding them is cached per "shape" (a dict's own key list): a shape
 * holds the sorted order and the UTF-8 of every `"key":`. The shape of each dict is
 * predicted from where it occurs (the root of an entity, or the value of a given key of a
 * given shape, or the items of such a list), and confirmed by comparing its keys in
 * for-in order; a wrong guess falls back to Object.keys and a shape table.
 */
import { Decimal } from '../values/decimal.js';
import { floatJson } from '../values/json.js';
import { Float, setProp, Typed, type Dict, type Value } from '../values/types.js';
import { isSorted } from './canonical.js';
import { Md5 } from './md5.js';

/** A dict key list with what writing it needs. */
export class Shape {
  readonly n: number;
  /** order[j]: index in `keys` of the j-th key in canonical (sorted) order. */
  readonly order: Int32Array;
  /** The sorted keys. */
  readonly sorted: string[];
  /**
   * UTF-8 of `"key":` and `,"key":` for each sorted key, as chunks; made when the shape is
   * written a second time, so that dicts whose key lists never repeat (maps keyed by ids,
   * say) do not pay for them.
   */
  private keyChunks: KeyChunks | undefined;
  private writes = 0;
  /** As the root of an entity: sorted [0, head) are data keys before `_`, [tail, n) after. */
  readonly head: number;
  readonly tail: number;
  /** The shape last met in the value of the j-th sorted key (a dict, or the dicts of a list). */
  readonly child: Array<Shape | undefined>;
  /** A shape met where this one was expected (the next guess when this one is wrong). */
  alt: Shape | undefined;
  /** Builds the version entity of a root with this shape (see `version`), compiled once it recurs. */
  private builder: VersionBuilder | undefined;
  private versions = 0;

  /** `keys` in own-property order (Object.keys, which is also for-in order). */
  constructor(readonly keys: readonly string[]) {
    const n = (this.n = keys.length);
    const idx = Array.from({ length: n }, (_, i) => i);
    // Canonical order is the UTF-16 code unit order of Array.prototype.sort.
    idx.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    this.order = Int32Array.from(idx);
    this.sorted = idx.map((i) => keys[i]!);
    let i = 0;
    while (i < n && this.sorted[i]! < '_') i++;
    this.head = i;
    while (i < n && this.sorted[i]!.charCodeAt(0) === 95) i++;
    this.tail = i;
    this.child = new Array<Shape | undefined>(n).fill(undefined);
  }

  /** The key chunks, or undefined the first time the shape is written (keys are then written as strings). */
  chunks(): KeyChunks | undefined {
    if (this.keyChunks !== undefined) return this.keyChunks;
    if (this.writes++ === 0) return undefined;
    return (this.keyChunks = {
      plain: this.sorted.map((k) => chunk(JSON.stringify(k) + ':')),
      comma: this.sorted.map((k) => chunk(',' + JSON.stringify(k) + ':')),
    });
  }

  /**
   * The version entity of a root with this shape and values `vals` (in `keys` order), keys
   * in stored order: data keys before `_`, the metadata, data keys after. It is what
   * `versionEntity` (record.ts) builds; an object literal per shape is several times cheaper
   * than adding the properties one by one.
   */
  version(vals: readonly Value[], deleted: boolean, hash: string, id: string, previous: number | null, ts: number, updated: number): Dict {
    if (this.builder === undefined) {
      // Compiling a literal pays off for shapes that recur, not for one-offs.
      if (++this.versions < 4) return this.slowBuilder(vals, deleted, hash, id, previous, ts, updated);
      this.builder = this.makeBuilder();
    }
    return this.builder(vals, deleted, hash, id, previous, ts, updated);
  }

  private readonly slowBuilder: VersionBuilder = (vals, deleted, hash, id, previous, ts, updated) => {
    const v: Dict = {};
    for (let j = 0; j < this.head; j++) setProp(v, this.sorted[j]!, vals[this.order[j]!]!);
    v['_deleted'] = deleted;
    v['_hash'] = hash;
    v['_id'] = id;
    v['_previous'] = previous;
    v['_ts'] = ts;
    v['_updated'] = updated;
    for (let j = this.tail; j < this.n; j++) setProp(v, this.sorted[j]!, vals[this.order[j]!]!);
    return v;
  };

  private makeBuilder(): VersionBuilder {
    const data = (j: number): boolean => j < this.head || j >= this.tail;
    // A quoted `__proto__` in a literal would set the prototype: such shapes go the slow way.
    if (this.sorted.some((k, j) => data(j) && k === '__proto__') || this.n > 200) return this.slowBuilder;
    const field = (j: number): string => `${JSON.stringify(this.sorted[j])}: vals[${this.order[j]}]`;
    const parts: string[] = [];
    for (let j = 0; j < this.head; j++) parts.push(field(j));
    parts.push('"_deleted": deleted', '"_hash": hash', '"_id": id', '"_previous": previous', '"_ts": ts', '"_updated": updated');
    for (let j = this.tail; j < this.n; j++) parts.push(field(j));
    // Keys are JSON string literals, which are JavaScript string literals too.
    return new Function('vals', 'deleted', 'hash', 'id', 'previous', 'ts', 'updated', `return { ${parts.join(', ')} };`) as VersionBuilder;
  }
}

interface KeyChunks {
  readonly plain: readonly Chunk[];
  readonly comma: readonly Chunk[];
}

type VersionBuilder = (vals: readonly Value[], deleted: boolean, hash: string, id: string, previous: number | null, ts: number, updated: number) => Dict;

/** Whether `d`'s keys (in for-in order) are exactly `s.keys`; puts its values in `vals` meanwhile. */
function matches(d: Dict, s: Shape, vals: Value[]): boolean {
  const ks = s.keys;
  const n = s.n;
  let i = 0;
  for (const k in d) {
    if (i === n || ks[i] !== k) return false;
    vals[i++] = d[k]!;
  }
  return i === n;
}

const shapes = new Map<string, Shape>();
const SHAPE_LIMIT = 10_000;
/** Nested dicts with more keys than this are written without a shape: they are likely maps. */
const SHAPE_MAX_KEYS = 64;

function shapeOf(keys: string[]): Shape {
  const id = JSON.stringify(keys);
  let s = shapes.get(id);
  if (s === undefined) {
    if (shapes.size >= SHAPE_LIMIT) shapes.clear();
    s = new Shape(keys);
    shapes.set(id, s);
  }
  return s;
}

const EMPTY = {};

function prototypeIsClean(): boolean {
  for (const _ in EMPTY) return false;
  return true;
}

/**
 * Fixed bytes (UTF-8), as little-endian 32-bit words padded with zeros: copying a word at a
 * time is several times faster than a byte at a time. The padding lands beyond `pos` and is
 * overwritten by whatever comes next.
 */
export interface Chunk {
  readonly words: Int32Array;
  readonly n: number;
}

export function chunk(text: string): Chunk {
  const bytes = Buffer.from(text, 'utf8');
  const nw = (bytes.length + 3) >>> 2;
  const padded = Buffer.alloc(nw * 4);
  bytes.copy(padded);
  const words = new Int32Array(nw);
  for (let i = 0; i < nw; i++) words[i] = padded.readInt32LE(i * 4);
  return { words, n: bytes.length };
}

/** The fixed byte strings of a line. */
const DELETED_TRUE = chunk('"_deleted":true,"_hash":"');
const DELETED_FALSE = chunk('"_deleted":false,"_hash":"');
/** The length of `"_hash":"`, the end of the two strings above. */
const HASH_KEY = '"_hash":"'.length;
const HASH_END_ID_KEY = chunk('","_id":');
const PREVIOUS_KEY = chunk(',"_previous":');
const PREVIOUS_NULL = chunk(',"_previous":null');
const TS_KEY = chunk(',"_ts":');
const UPDATED_KEY = chunk(',"_updated":');
const TRUE = chunk('true');
/** `"~f` (and a byte of padding) as a little-endian word. */
const DECIMAL_START = 34 | (126 << 8) | (102 << 16);
const FALSE = chunk('false');
const NULL = chunk('null');
/** HEX2[b]: the two hex digits of byte b as a little-endian 16-bit word. */
const HEX2 = new Uint16Array(256);
for (let b = 0; b < 256; b++) HEX2[b] = '0123456789abcdef'.charCodeAt(b >>> 4) | ('0123456789abcdef'.charCodeAt(b & 15) << 8);

/**
 * Writes stored lines into a growable byte buffer (the log's staging area). `buf` and `pos`
 * are read and moved by the log; `buf` may be replaced whenever the encoder writes.
 */
export class LineEncoder {
  buf: Buffer;
  pos = 0;
  /** The digest of the last record's content, as md5.ts leaves it. */
  readonly hash: Int32Array;
  /** Where the last record's 32 hex digits of `_hash` are in `buf`. */
  hashAt = 0;
  /** Whether the last record holds floats or big integers (and so starts with a space). */
  inexact = false;
  /** The last record's root shape and values (values[i] belongs to shape.keys[i]). */
  shape: Shape | undefined;
  rootValues: Value[];

  private readonly md5 = new Md5();
  /** Values of the dict being written at each nesting depth, in own-property order. */
  private readonly stack: Value[][] = [[]];
  private rootHint: Shape | undefined;
  private guess = true;

  /** A view of `buf` for word-wide writes. */
  private view: DataView;

  constructor(initialSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.hash = this.md5.h;
    this.rootValues = this.stack[0]!;
  }

  /** Drops references to the last records' values (kept for `shape.version` until then). */
  release(): void {
    for (const vals of this.stack) vals.length = 0;
  }

  /** `_hash` of the last record, as text. */
  hashText(): string {
    const b = this.buf;
    const p = this.hashAt;
    // One call with 32 arguments makes a flat one-byte string, cheaper than a Buffer decode.
    return String.fromCharCode(
      b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
      b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!,
      b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!, b[p + 20]!, b[p + 21]!, b[p + 22]!, b[p + 23]!,
      b[p + 24]!, b[p + 25]!, b[p + 26]!, b[p + 27]!, b[p + 28]!, b[p + 29]!, b[p + 30]!, b[p + 31]!,
    );
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  /**
   * Writes the stored line of a version of `e` (validated: a dict with a string `_id`) at
   * `pos`, without newline; `previous` is -1 for none. Leaves the content digest in `hash`.
   * On an unstorable value it throws naming the position and property, and `pos` is back
   * where it was.
   */
  record(e: Dict, position: number, id: string, deleted: boolean, previous: number, ts: number, updated: number): void {
    const start = this.pos;
    const vals = this.stack[0]!;
    // An enumerable property on Object.prototype would show up in for-in: then no guessing.
    this.guess = prototypeIsClean();
    this.inexact = false;
    let s: Shape | undefined;
    let j = 0;
    try {
      s = this.shapeAndValues(e, this.rootHint, vals);
      this.rootHint = this.shape = s;
      const order = s.order;
      const child = s.child;
      const kc = s.chunks();
      this.ensure(1);
      this.buf[this.pos++] = 123; // {
      for (; j < s.head; j++) {
        if (kc !== undefined) this.chunk(kc.plain[j]!);
        else this.key(s.sorted[j]!, false);
        const c = this.value(vals[order[j]!], child[j], 1);
        if (c !== undefined) child[j] = c;
        this.ensure(1);
        this.buf[this.pos++] = 44; // ,
      }
      this.chunk(deleted ? DELETED_TRUE : DELETED_FALSE);
      const contentA = this.pos - HASH_KEY;
      this.ensure(32);
      this.hashAt = this.pos;
      this.pos += 32;
      this.chunk(HASH_END_ID_KEY);
      const idStart = this.pos - 6;
      this.string(id);
      const idEnd = this.pos;
      if (previous < 0) this.chunk(PREVIOUS_NULL);
      else {
        this.chunk(PREVIOUS_KEY);
        this.uint(previous);
      }
      this.chunk(TS_KEY);
      this.uint(ts);
      this.chunk(UPDATED_KEY);
      this.uint(updated);
      const tailStart = this.pos;
      for (j = s.tail; j < s.n; j++) {
        if (kc !== undefined) this.chunk(kc.comma[j]!);
        else this.key(s.sorted[j]!, true);
        const c = this.value(vals[order[j]!], child[j], 1);
        if (c !== undefined) child[j] = c;
      }
      this.ensure(2);
      this.buf[this.pos++] = 125; // }
      const end = this.pos;
      const buf = this.buf;
      const md5 = this.md5;
      md5.reset();
      const view = this.view;
      md5.update(view, start, contentA);
      md5.update(view, idStart, idEnd);
      md5.update(view, tailStart, end);
      md5.finish();
      this.hex(md5.h, this.hashAt);
      if (this.inexact) {
        // The exact-reader marker: rare enough that moving the line is cheaper than planning for it.
        buf.copyWithin(start + 1, start, end);
        buf[start] = 32;
        this.pos = end + 1;
        this.hashAt++;
      }
    } catch (err) {
      this.pos = start;
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`entity at position ${position} (_id ${JSON.stringify(id)}): property ${JSON.stringify(s?.sorted[j])}: ${msg}`);
    }
  }

  /**
   * The shape of `d`, with its values put in `vals` in own-property order. `hint` (the shape
   * last met at this place) and the shape last met instead of it are tried first.
   */
  private shapeAndValues(d: Dict, hint: Shape | undefined, vals: Value[]): Shape {
    return this.guessShape(d, hint, vals) ?? this.newShape(Object.keys(d), d, hint, vals);
  }

  private guessShape(d: Dict, hint: Shape | undefined, vals: Value[]): Shape | undefined {
    if (hint === undefined || !this.guess) return undefined;
    if (matches(d, hint, vals)) return hint;
    const alt = hint.alt;
    return alt !== undefined && matches(d, alt, vals) ? alt : undefined;
  }

  private newShape(keys: string[], d: Dict, hint: Shape | undefined, vals: Value[]): Shape {
    for (let i = 0; i < keys.length; i++) vals[i] = d[keys[i]!]!;
    const s = shapeOf(keys);
    if (hint !== undefined) {
      // Places that alternate between two shapes find the other one on the second try.
      hint.alt = s;
      s.alt ??= hint;
    }
    return s;
  }

  /**
   * Writes one value; returns the shape to expect next time at this place (a dict's own, the
   * last one of a list's dicts), or undefined to keep the current expectation.
   */
  private value(v: Value | undefined, hint: Shape | undefined, depth: number): Shape | undefined {
    if (typeof v === 'string') this.string(v);
    else if (typeof v === 'object') {
      if (v === null) this.chunk(NULL);
      else if (v instanceof Decimal) this.decimal(v);
      else if (Array.isArray(v)) return this.list(v, hint, depth);
      else if (v instanceof Typed) this.typed(v);
      else return this.dict(v, hint, depth);
    } else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'boolean') this.chunk(v ? TRUE : FALSE);
    else if (typeof v === 'bigint') {
      this.inexact = true;
      this.ascii(v.toString());
    } else if (v === undefined) this.chunk(NULL);
    // Anything else (functions, symbols) is what canonical() makes of it: an empty dict, or its own keys.
    else return this.dict(v as unknown as Dict, hint, depth);
    return undefined;
  }

  private list(v: Value[], hint: Shape | undefined, depth: number): Shape | undefined {
    const n = v.length;
    this.ensure(2);
    this.buf[this.pos++] = 91; // [
    let h = hint;
    let last: Shape | undefined;
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        this.ensure(1);
        this.buf[this.pos++] = 44;
      }
      const c = this.value(v[i], h, depth);
      if (c !== undefined) h = last = c;
    }
    this.ensure(1);
    this.buf[this.pos++] = 93; // ]
    return last;
  }

  private dict(d: Dict, hint: Shape | undefined, depth: number): Shape | undefined {
    const vals = (this.stack[depth] ??= []);
    let s = this.guessShape(d, hint, vals);
    if (s === undefined) {
      const keys = Object.keys(d);
      if (keys.length > SHAPE_MAX_KEYS) {
        this.plainDict(d, keys, depth);
        return undefined;
      }
      s = this.newShape(keys, d, hint, vals);
    }
    const n = s.n;
    const order = s.order;
    const child = s.child;
    const kc = s.chunks();
    this.ensure(2);
    this.buf[this.pos++] = 123; // {
    for (let j = 0; j < n; j++) {
      if (kc !== undefined) this.chunk(j === 0 ? kc.plain[0]! : kc.comma[j]!);
      else this.key(s.sorted[j]!, j > 0);
      const c = this.value(vals[order[j]!], child[j], depth + 1);
      if (c !== undefined) child[j] = c;
    }
    this.ensure(1);
    this.buf[this.pos++] = 125; // }
    return s;
  }

  /** A dict written without a shape: keys sorted, and written, as canonical() does. */
  private plainDict(d: Dict, keys: string[], depth: number): void {
    if (!isSorted(keys)) keys.sort();
    this.ensure(1);
    this.buf[this.pos++] = 123; // {
    for (let i = 0; i < keys.length; i++) {
      this.key(keys[i]!, i > 0);
      this.value(d[keys[i]!], undefined, depth + 1);
    }
    this.ensure(1);
    this.buf[this.pos++] = 125; // }
  }

  /** `"key":` (after a comma), for keys without chunks. */
  private key(k: string, comma: boolean): void {
    if (comma) {
      this.ensure(1);
      this.buf[this.pos++] = 44;
    }
    this.string(k);
    this.ensure(1);
    this.buf[this.pos++] = 58; // :
  }

  private typed(v: Typed): void {
    if (v instanceof Float) {
      this.inexact = true;
      this.ascii(floatJson(v.value));
      return;
    }
    const j = v.toJSON();
    if (typeof j === 'string') this.string(j);
    else this.text(String(JSON.stringify(j)));
  }

  /** Decimal.toJSON() is '~f' + toString(), which is ASCII (digits, sign, point, exponent). */
  private decimal(v: Decimal): void {
    this.ensure(4);
    this.view.setInt32(this.pos, DECIMAL_START, true);
    this.pos += 3;
    if (!this.stringBody(v.toString())) {
      this.pos -= 3;
      this.string(String(v.toJSON()));
      return;
    }
    this.buf[this.pos++] = 34;
  }

  private chunk(c: Chunk): void {
    const words = c.words;
    const nw = words.length;
    this.ensure(nw * 4);
    const view = this.view;
    const p = this.pos;
    for (let i = 0; i < nw; i++) view.setInt32(p + 4 * i, words[i]!, true);
    this.pos = p + c.n;
  }

  /** The 32 hex digits of the digest words `h` at `at` (room for them was made). */
  private hex(h: Int32Array, at: number): void {
    const view = this.view;
    for (let i = 0; i < 4; i++) {
      const w = h[i]!;
      view.setUint16(at + 8 * i, HEX2[w & 255]!, true);
      view.setUint16(at + 8 * i + 2, HEX2[(w >>> 8) & 255]!, true);
      view.setUint16(at + 8 * i + 4, HEX2[(w >>> 16) & 255]!, true);
      view.setUint16(at + 8 * i + 6, HEX2[w >>> 24]!, true);
    }
  }

  /** A JSON string: ASCII without escapes byte by byte, anything else as JSON.stringify's UTF-8. */
  private string(s: string): void {
    this.ensure(s.length + 2);
    this.buf[this.pos++] = 34;
    if (!this.stringBody(s)) {
      this.pos--;
      this.text(JSON.stringify(s));
      return;
    }
    this.buf[this.pos++] = 34;
  }

  /**
   * Writes `s` when it is ASCII needing no escapes (with room for one more byte after it);
   * otherwise writes nothing and returns false.
   */
  private stringBody(s: string): boolean {
    const n = s.length;
    this.ensure(n + 1);
    const buf = this.buf;
    const p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || c > 127) return false;
      buf[p + i] = c;
    }
    this.pos = p + n;
    return true;
  }

  /** Any text, as UTF-8 (it must be well-formed: JSON.stringify output is). */
  private text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Text known to be ASCII. */
  private ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    const p = this.pos;
    for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
    this.pos = p + n;
  }

  /** A number as String(v) writes it; non-finite numbers cannot be stored. */
  private number(v: number): void {
    if ((v | 0) === v) {
      // Also -0, which String() writes as 0.
      if (v < 0) {
        this.ensure(1);
        this.buf[this.pos++] = 45;
        this.uint(-v);
      } else this.uint(v | 0);
      return;
    }
    if (!Number.isFinite(v)) throw new TypeError(`cannot store the non-finite number ${v} (use a Float)`);
    this.ascii(String(v));
  }

  /** A non-negative safe integer in decimal. */
  private uint(v: number): void {
    if (v > 0x7fffffff) {
      const hi = Math.floor(v / 1e8);
      this.uint(hi);
      this.digits(v - hi * 1e8, 8);
      return;
    }
    let w = 1;
    for (let x = 10; x <= v; x *= 10) w++;
    this.digits(v, w);
  }

  /** 0 ≤ `v` < min(2^31, 10^width) in exactly `width` digits (zero-padded). */
  private digits(v: number, width: number): void {
    this.ensure(width);
    const buf = this.buf;
    let p = this.pos + width;
    this.pos = p;
    let x = v | 0;
    for (let i = 0; i < width; i++) {
      const q = (x / 10) | 0;
      buf[--p] = 48 + x - q * 10;
      x = q;
    }
  }
}
