/** Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 prefix characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  // Bit masks of matched positions; names are short, so 32-bit masks cover them (longer fall back).
  if (la > 31 || lb > 31) return jaroWinklerLong(a, b, window);
  let matchedA = 0;
  let matchedB = 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if ((matchedB & (1 << j)) === 0 && b.charCodeAt(j) === c) {
        matchedA |= 1 << i;
        matchedB |= 1 << j;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < la; i++) {
    if ((matchedA & (1 << i)) === 0) continue;
    while ((matchedB & (1 << j)) === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  return winkler(a, b, matches, transpositions / 2, la, lb);
}

function jaroWinklerLong(a: string, b: string, window: number): number {
  const la = a.length;
  const lb = b.length;
  const usedA = new Uint8Array(la);
  const usedB = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (!usedB[j] && a[i] === b[j]) {
        usedA[i] = 1;
        usedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let t = 0;
  let j = 0;
  for (let i = 0; i < la; i++) {
    if (!usedA[i]) continue;
    while (!usedB[j]) j++;
    if (a[i] !== b[j]) t++;
    j++;
  }
  return winkler(a, b, matches, t / 2, la, lb);
}

function winkler(a: string, b: string, m: number, t: number, la: number, lb: number): number {
  const jaro = (m / la + m / lb + (m - t) / m) / 3;
  let prefix = 0;
  const max = Math.min(4, la, lb);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Jaccard overlap of two token sets given as space-separated strings. When both are sorted and
 * de-duplicated (as normalizeAddress returns them) this is a merge without allocation.
 */
export function tokenJaccard(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  if (a.length === 0 || b.length === 0) return 0;
  const merged = sortedTokenOverlap(a, b);
  if (merged) return merged[0] / (merged[1] + merged[2] - merged[0]);
  const ta = new Set(a.split(" "));
  const tb = b.split(" ");
  let inter = 0;
  const seen = new Set<string>();
  for (const t of tb) {
    if (seen.has(t)) continue;
    seen.add(t);
    if (ta.has(t)) inter++;
  }
  return inter / (ta.size + seen.size - inter);
}

const overlap: [number, number, number] = [0, 0, 0];

/** [shared, tokens in a, tokens in b] of two sorted unique token lists, or null if either is not sorted. */
function sortedTokenOverlap(a: string, b: string): [number, number, number] | null {
  let i = 0;
  let j = 0;
  let inter = 0;
  let na = 0;
  let nb = 0;
  let prevA = -1;
  let prevB = -1;
  const la = a.length;
  const lb = b.length;
  let ea = a.indexOf(" ", i);
  if (ea < 0) ea = la;
  let eb = b.indexOf(" ", j);
  if (eb < 0) eb = lb;
  let cmp = 0;
  // Each side advances through its tokens; the smaller token moves on.
  while (i < la || j < lb) {
    if (i >= la) cmp = 1;
    else if (j >= lb) cmp = -1;
    else cmp = compareRange(a, i, ea, b, j, eb);
    if (cmp <= 0) {
      if (prevA >= 0 && compareRange(a, prevA, i - 1, a, i, ea) >= 0) return null;
      na++;
      prevA = i;
    }
    if (cmp >= 0) {
      if (prevB >= 0 && compareRange(b, prevB, j - 1, b, j, eb) >= 0) return null;
      nb++;
      prevB = j;
    }
    if (cmp === 0) inter++;
    if (cmp <= 0) {
      i = ea + 1;
      ea = i < la ? a.indexOf(" ", i) : la;
      if (ea < 0) ea = la;
    }
    if (cmp >= 0) {
      j = eb + 1;
      eb = j < lb ? b.indexOf(" ", j) : lb;
      if (eb < 0) eb = lb;
    }
  }
  overlap[0] = inter;
  overlap[1] = na;
  overlap[2] = nb;
  return overlap;
}

/** Compares x[xs, xe) with y[ys, ye) by UTF-16 code units, as Array.prototype.sort does. */
function compareRange(x: string, xs: number, xe: number, y: string, ys: number, ye: number): number {
  const n = Math.min(xe - xs, ye - ys);
  for (let k = 0; k < n; k++) {
    const d = x.charCodeAt(xs + k) - y.charCodeAt(ys + k);
    if (d !== 0) return d;
  }
  return xe - xs - (ye - ys);
}
