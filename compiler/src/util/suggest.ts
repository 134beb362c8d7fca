/** "Did you mean" suggestions by edit distance. */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`tpye`). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rolling rows: the transposition step looks two rows back.
  let back = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, back[j - 2]! + 1);
      row[j] = v;
    }
    [back, prev, row] = [prev, row, back];
  }
  return prev[b.length]!;
}

/** The closest candidates within a distance that scales with the word's length. */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const scored: { c: string; d: number }[] = [];
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : 1));
  return scored.slice(0, max).map((s) => s.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  if (s.length === 0) return '';
  return ` Did you mean ${s.map((x) => `'${x}'`).join(' or ')}?`;
}
