/**
 * A fast 64-bit string hash in two 32-bit lanes (cyrb53's mixing), used to order sorted
 * table entries and to probe bloom filters. It is computed over UTF-16 code units, so it is
 * only ever applied to JS strings (ids and index keys), never to their encoded bytes. Equal
 * hashes are always confirmed by comparing the key bytes, so collisions cost time, not
 * correctness.
 */

/** The second lane of the last `hashString` call (avoids allocating a pair per call). */
export let hashLaneB = 0;

/** Returns lane A and leaves lane B in `hashLaneB`. Both are unsigned 32-bit integers. */
export function hashString(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashLaneB = h2 >>> 0;
  return h1 >>> 0;
}
