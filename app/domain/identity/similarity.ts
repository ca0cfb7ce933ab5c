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

/** Jaccard overlap of two token sets given as space-separated strings. */
export function tokenJaccard(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  if (a.length === 0 || b.length === 0) return 0;
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
