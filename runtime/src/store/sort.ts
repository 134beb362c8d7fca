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
  const counts = new Uint32Array(65536);
  // Least significant digit first: lane B low, lane B high, lane A low, lane A high.
  for (let pass = 0; pass < 4; pass++) {
    const keys = pass < 2 ? kb : ka;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0xffff]!++;
    if (counts[(keys[0]! >>> shift) & 0xffff] === n) continue; // one digit value: nothing moves
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(keys[i]! >>> shift) & 0xffff]!++;
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
