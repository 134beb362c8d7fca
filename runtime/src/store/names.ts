/**
 * Free-text ids (of datasets, and of pipes for their state and publisher files) and index
 * names → file names. Ids are free text (`crm:person`,
 * `../x`, `a/b`, unicode), so a directory name keeps only lower-case ASCII letters, digits,
 * `-` and `_`, and writes every other UTF-8 byte as `%xx`. Upper case is escaped too, so
 * ids differing only in case stay apart on case-insensitive file systems; `.` is escaped,
 * so no name can be `.` or `..`, and `/` is escaped, so every name is one path component
 * inside the data folder. Overlong names are cut and completed with a hash of the id; the
 * manifest inside records the real id, which is what `datasetIds()` reports.
 */
import * as crypto from 'node:crypto';

const MAX_NAME = 180;

export function idFileName(id: string): string {
  if (id === '') return '%';
  let out = '';
  const bytes = Buffer.from(id, 'utf8');
  for (const b of bytes) {
    const safe = (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;
    out += safe ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0');
  }
  // Lone surrogates do not survive UTF-8; give such ids a hashed name so they cannot collide.
  if (out.length > MAX_NAME || bytes.toString('utf8') !== id) {
    let cut = out.slice(0, MAX_NAME - 34);
    const pct = cut.lastIndexOf('%');
    if (pct >= cut.length - 2 && pct >= 0) cut = cut.slice(0, pct);
    out = cut + '~' + crypto.createHash('sha256').update(JSON.stringify(id)).digest('hex').slice(0, 32);
  }
  return out;
}

/** A short stable file prefix for an index name (names are compiled expressions, often long). */
export function indexFileKey(name: string): string {
  return crypto.createHash('sha256').update(name).digest('hex').slice(0, 16);
}
