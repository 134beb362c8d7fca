/**
 * Sorting table entries by (hash lane A, hash lane B, key bytes). Flushing a large memtable
 * (an index build over a million entities) with a comparator sort would cost seconds; an LSD
 * radix sort on the two 32-bit lanes costs a small fraction of that, and only entries with
 * equal lanes (the same key, or a 64-bit collision) need the comparator.
 */

/** A permutation of 0..n-1 ordering the entries; `tie(i, j)` orders entries with equal lanes. */
export function sortByLanes(sa: Uint32Array, sb: Uint32Array, n: number, tie: (i: number, j: number) => number): Uint32Array {
  if (n < 2048) {
    const arr = Array.from({ length: n }, (_, i) => i);
    arr.sort((i, j) => {
      const a = sa[i]!, b = sa[j]!;
      if (a !== b) return a < b ? -1 : 1;
      const c = sb[i]!, d = sb[j]!;
      if (c !== d) return c < d ? -1 : 1;
      return tie(i, j);
    });
    return Uint32Array.from(arr);
  }
  // The lanes travel with the permutation, so every pass reads sequentially.
  let perm = new Uint32Array(n);
  let ka = sa.slice(0, n);
  let kb = sb.slice(0, n);
  let perm2 = new Uint32Array(n);
  let ka2 = new Uint32Array(n);
  let kb2 = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  // 16-bit digits for big batches; 8-bit ones for small batches, where clearing and summing
  // 65536 counters per pass would cost more than the entries.
  const bits = n >= 100_000 ? 16 : 8;
  const radix = 1 << bits;
  const mask = radix - 1;
  const counts = new Uint32Array(radix);
  // Least significant digit first: lane B, then lane A.
  for (let pass = 0; pass < 64 / bits; pass++) {
    const keys = pass < 32 / bits ? kb : ka;
    const shift = (pass * bits) % 32;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & mask]!++;
    if (counts[(keys[0]! >>> shift) & mask] === n) continue; // one digit value: nothing moves
    let sum = 0;
    for (let d = 0; d < radix; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(keys[i]! >>> shift) & mask]!++;
      perm2[at] = perm[i]!;
      ka2[at] = ka[i]!;
      kb2[at] = kb[i]!;
    }
    [perm, perm2] = [perm2, perm];
    [ka, ka2] = [ka2, ka];
    [kb, kb2] = [kb2, kb];
  }
  // Runs of equal lanes get the comparator.
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && ka[i] === ka[start] && kb[i] === kb[start]) continue;
    if (i - start > 1) {
      const run = Array.from(perm.subarray(start, i)).sort(tie);
      perm.set(run, start);
    }
    start = i;
  }
  return perm;
}
