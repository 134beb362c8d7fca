/**
 * Sorting table entries by (hash lane A, hash lane B, key bytes). Flushing a large memtable
 * (an index build over a million entities) with a comparator sort would cost close to a
 * second; an LSD radix sort on the two 32-bit lanes costs a few tens of milliseconds, and
 * only entries with equal lanes (the same key, or a 64-bit collision) need the comparator.
 */

/** A permutation of 0..n-1 ordering the entries; `tie(i, j)` orders entries with equal lanes. */
export function sortByLanes(sa: Uint32Array, sb: Uint32Array, n: number, tie: (i: number, j: number) => number): Uint32Array {
  let perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  if (n < 2048) {
    const arr = Array.from(perm);
    arr.sort((i, j) => {
      const a = sa[i]!, b = sa[j]!;
      if (a !== b) return a < b ? -1 : 1;
      const c = sb[i]!, d = sb[j]!;
      if (c !== d) return c < d ? -1 : 1;
      return tie(i, j);
    });
    return Uint32Array.from(arr);
  }
  let tmp = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  // Least significant digit first: sb low, sb high, sa low, sa high.
  for (let pass = 0; pass < 4; pass++) {
    const lanes = pass < 2 ? sb : sa;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(lanes[perm[i]!]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const e = perm[i]!;
      tmp[counts[(lanes[e]! >>> shift) & 0xffff]!++] = e;
    }
    const t = perm;
    perm = tmp;
    tmp = t;
  }
  // Runs of equal lanes get the comparator.
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && sa[perm[i]!] === sa[perm[start]!] && sb[perm[i]!] === sb[perm[start]!]) continue;
    if (i - start > 1) {
      const run = Array.from(perm.subarray(start, i)).sort(tie);
      perm.set(run, start);
    }
    start = i;
  }
  return perm;
}
