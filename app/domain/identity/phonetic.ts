import { jaroWinkler } from "./similarity";

/**
 * A script-independent sound key for one folded name token (Arabic or Latin).
 *
 * `skeleton` is the consonant skeleton over a shared alphabet (q/k/ق/ك -> k, th/ث/ت -> t,
 * dh/ذ/ظ -> z, kh/خ -> x, sh/ش -> S, j/g/ج/غ -> g, ...), double letters collapsed and a final h
 * dropped, so محمد, Mohammed, Muhammad and Mohamad share "mhmd". `slots` keeps, between
 * consonants, which vowel classes were written: Arabic writes only long vowels (ا و ي), Latin
 * writes all of them, so comparing slots separates محمود/Mahmoud from محمد/Mohammed, which have the
 * same consonants.
 */
export interface PhoneticForm {
  skeleton: string;
  /** skeleton.length + 1 chars; char code - 64 is a mask of VOWEL_* bits. */
  slots: string;
  arabic: boolean;
}

const V_A = 1;
const V_I = 2;
const V_U = 4;
const V_LONG = 8;
const V_AYN = 16;

// Letters whose Latin spelling varies get their own symbol, equal to several Latin letters:
// ث T (th, t, s: Othman / Osman), ذ D and ظ Z (dh, d, z), ق Q (q, k, and g as said in the Gulf).
const ARABIC_CONSONANTS: Record<string, string> = {
  ب: "b", ت: "t", ث: "T", ج: "g", ح: "h", خ: "x", د: "d", ذ: "D", ر: "r", ز: "z", س: "s",
  ش: "S", ص: "s", ض: "d", ط: "t", ظ: "Z", غ: "g", ف: "f", ق: "Q", ك: "k", ل: "l", م: "m",
  ن: "n", ه: "h", پ: "b", چ: "S", ژ: "z", گ: "g", ڤ: "f",
};

/**
 * Latin digraphs: kh x, sh S, ch S, th T, dh D, gh g, ph f, ck k. A switch on the next letter's
 * code instead of a table keyed by `ch + next`: looking a new string up interns it.
 */
function toLatinDigraph(ch: string, next: number): string | undefined {
  if (next === 104 /* h */) {
    switch (ch) {
      case "k": return "x";
      case "s": case "c": return "S";
      case "t": return "T";
      case "d": return "D";
      case "g": return "g";
      case "p": return "f";
      default: return undefined;
    }
  }
  return next === 107 /* k */ && ch === "c" ? "k" : undefined;
}

const LATIN_CONSONANTS: Record<string, string> = {
  b: "b", p: "b", c: "k", d: "d", f: "f", v: "f", g: "g", j: "g", h: "h", k: "k", q: "Q",
  l: "l", m: "m", n: "n", r: "r", s: "s", t: "t", x: "ks", z: "z",
};
const COARSE: Record<string, string> = { T: "t", D: "z", Z: "z", Q: "k" };

/** Skeleton with the variable letters reduced to one Latin letter each; used for blocking keys. */
export function toCoarseSkeleton(skeleton: string): string {
  // A loop, not /[TDZQ]/.test: scoring calls this tens of millions of times on short strings.
  for (let i = 0; i < skeleton.length; i++) {
    const c = skeleton.charCodeAt(i);
    if (c === 84 || c === 68 || c === 90 || c === 81) {
      let coarse = coarseCache.get(skeleton);
      if (coarse === undefined) {
        coarse = skeleton.replace(/[TDZQ]/g, (x) => COARSE[x]);
        if (coarseCache.size >= 50_000) coarseCache.clear();
        coarseCache.set(skeleton, coarse);
      }
      return coarse;
    }
  }
  return skeleton;
}

const coarseCache = new Map<string, string>();

function sameSound(x: string, y: string): boolean {
  return x === y || isEquivalent(x, y) || isEquivalent(y, x);
}

/** Letters one Arabic letter may be spelt as: Tt Ts, Dd Dz DZ, Zz Zd, Qk Qg (and the reverse). */
function isEquivalent(x: string, y: string): boolean {
  switch (x) {
    case "T": return y === "t" || y === "s";
    case "D": return y === "d" || y === "z" || y === "Z";
    case "Z": return y === "z" || y === "d";
    case "Q": return y === "k" || y === "g";
    default: return false;
  }
}

function sameSkeleton(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameSound(a[i], b[i])) return false;
  return true;
}

const LATIN_VOWELS: Record<string, number> = {
  a: V_A, e: V_A | V_I, i: V_I, o: V_U | V_A, u: V_U, y: V_I, w: V_U,
};

/** Vowel class of a run of two or more Latin vowel letters: ee/ie -> long i, ou/oo -> long u. */
function latinLongVowel(run: string): number {
  let mask = 0;
  if (/ee|ii|ie|iy|ey/.test(run)) mask |= V_I;
  if (/oo|ou|uu|ow|uw|oe/.test(run)) mask |= V_U;
  if (/aa/.test(run)) mask |= V_A;
  // Sa'ud / سعود: the a is the vowel of a dropped ayn, the long vowel is the u (Saud is not Saad).
  if (run === "au") mask |= V_U;
  if (mask === 0) {
    for (const ch of run) mask |= ch === "a" ? V_A : ch === "e" || ch === "i" || ch === "y" ? V_I : V_U;
  }
  return mask | V_LONG;
}

class Builder {
  skeleton = "";
  slots: number[] = [0];
  vowelLetters: number[] = [0];
  runs: string[] = [""];

  consonant(c: string): void {
    for (const ch of c) {
      const last = this.skeleton.length - 1;
      const slot = this.slots[this.slots.length - 1];
      if (last >= 0 && this.skeleton[last] === ch && slot === 0) continue; // doubled letter
      this.skeleton += ch;
      this.slots.push(0);
      this.vowelLetters.push(0);
      this.runs.push("");
    }
  }

  vowel(mask: number, letter = ""): void {
    const i = this.slots.length - 1;
    this.slots[i] |= mask;
    this.vowelLetters[i]++;
    this.runs[i] += letter;
  }

  finish(arabic: boolean): PhoneticForm {
    if (!arabic) {
      // Two or more vowel letters in a row (ee, ou, ai, aa) mark a long vowel in Latin spelling.
      for (let i = 0; i < this.slots.length; i++) {
        if (this.vowelLetters[i] >= 2) this.slots[i] = latinLongVowel(this.runs[i]);
      }
    }
    let slots = "";
    for (const m of this.slots) slots += String.fromCharCode(64 + m);
    return { skeleton: this.skeleton, slots, arabic };
  }
}

/** Phonetic form of one folded token (output of the name/address folders). */
export function toPhoneticForm(token: string): PhoneticForm {
  const b = new Builder();
  const arabic = /[\u0600-\u06ff]/.test(token);
  if (arabic) {
    const n = token.length;
    for (let i = 0; i < n; i++) {
      const ch = token[i];
      if ((ch === "ه" || ch === "ح") && i === n - 1 && i > 0) break; // final h, as in Latin
      if (ch === "ا") b.vowel(V_A | V_LONG);
      else if (ch === "ع" || ch === "ء") b.vowel(V_AYN);
      else if (ch === "و") {
        if (i === 0) b.consonant("w");
        else b.vowel(V_U | V_LONG);
      } else if (ch === "ي") {
        if (i === 0) b.consonant("y");
        else b.vowel(V_I | V_LONG);
      }
      else {
        const c = ARABIC_CONSONANTS[ch];
        if (c) b.consonant(c);
      }
    }
    return b.finish(true);
  }
  let end = token.length;
  if (end > 1 && token[end - 1] === "h" && !"csktdgpk".includes(token[end - 2])) end--;
  for (let i = 0; i < end; i++) {
    const ch = token[i];
    if (i + 1 < end) {
      const d = toLatinDigraph(ch, token.charCodeAt(i + 1));
      if (d) {
        b.consonant(d);
        i++;
        continue;
      }
    }
    if ((ch === "y" || ch === "w") && i === 0) {
      b.consonant(ch);
      continue;
    }
    const v = LATIN_VOWELS[ch];
    if (v !== undefined) {
      b.vowel(v, ch);
      continue;
    }
    const c = LATIN_CONSONANTS[ch];
    if (c) b.consonant(c);
  }
  return b.finish(false);
}

/**
 * Similarity in [0, 1] of two phonetic forms. Same skeleton and compatible vowels -> 1; a
 * contradicting long vowel (Mahmoud vs Mohammed) -> 0.7; otherwise Jaro-Winkler of skeletons,
 * scaled so that a consonant difference never looks like the same name.
 */
export function comparePhonetic(a: PhoneticForm, b: PhoneticForm): number {
  if (a.skeleton.length === 0 || b.skeleton.length === 0) {
    return a.skeleton === b.skeleton && a.slots === b.slots ? 1 : 0;
  }
  // Arabic names are short: one consonant apart is usually another name (احمد / محمد).
  if (!sameSkeleton(a.skeleton, b.skeleton)) {
    return 0.85 * jaroWinkler(toCoarseSkeleton(a.skeleton), toCoarseSkeleton(b.skeleton));
  }
  // A leading vowel is written in every script (أحمد / Ahmed, عمر / Omar): one name with it and
  // one without are two names with the same consonants (Ahmad / Hamad, Ahmed / Hamid).
  if ((a.slots.charCodeAt(0) === 64) !== (b.slots.charCodeAt(0) === 64)) return 0.7;
  let score = 1;
  const last = a.slots.length - 1;
  for (let i = 1; i <= last; i++) {
    const x = a.slots.charCodeAt(i) - 64;
    const y = b.slots.charCodeAt(i) - 64;
    if (x === y) continue;
    const penalty = slotPenalty(x, y, a.arabic, b.arabic, i === last);
    if (penalty >= 1) return 0.7;
    score -= penalty * 0.1;
  }
  return score;
}

/** 0 compatible, 0.5..1 soft mismatch, >= 1 contradiction. */
function slotPenalty(x: number, y: number, ax: boolean, ay: boolean, final: boolean): number {
  const vx = x & 7;
  const vy = y & 7;
  const emptyX = (x & (7 | V_AYN)) === 0;
  const emptyY = (y & (7 | V_AYN)) === 0;
  if (final) {
    // Nisba ending: القحطاني / Alqahtani is not قحطان / Qahtan; other final vowels are free.
    if ((emptyX && vy === V_I) || (emptyY && vx === V_I)) return 1;
    return 0;
  }
  if (emptyX || emptyY) {
    const other = emptyX ? y : x;
    return other & V_LONG && !(other & V_AYN) ? 1 : 0;
  }
  if (ax && ay) return vx === vy ? 0 : 1; // Arabic writes every long vowel
  if (ax !== ay) {
    const arabicV = ax ? vx : vy;
    const latinV = ax ? vy : vx;
    return (arabicV & ~latinV) === 0 ? 0 : 1;
  }
  if ((vx & vy) !== 0) return 0;
  return x & V_LONG || y & V_LONG ? 1 : 0.5;
}
