/**
 * Script-level text folding shared by every identity normalizer: digits, Arabic letter forms,
 * Latin accents. Pure and allocation-light because it runs once per field of every record.
 */

const ARABIC_INDIC_ZERO = 0x0660;
const PERSIAN_ZERO = 0x06f0;

/** Turns Arabic-Indic (٠-٩) and Persian (۰-۹) digits into ASCII 0-9; everything else is kept. */
export function toAsciiDigits(text: string): string {
  let out = "";
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= ARABIC_INDIC_ZERO && c <= ARABIC_INDIC_ZERO + 9) {
      out += String.fromCharCode(48 + c - ARABIC_INDIC_ZERO);
      changed = true;
    } else if (c >= PERSIAN_ZERO && c <= PERSIAN_ZERO + 9) {
      out += String.fromCharCode(48 + c - PERSIAN_ZERO);
      changed = true;
    } else {
      out += text[i];
    }
  }
  return changed ? out : text;
}

/** Arabic letter folds applied after NFKC: every alef form to bare alef, teh marbuta to heh, etc. */
const ARABIC_FOLDS: Record<string, string> = {
  "\u0622": "\u0627", // آ -> ا
  "\u0623": "\u0627", // أ -> ا
  "\u0625": "\u0627", // إ -> ا
  "\u0671": "\u0627", // ٱ -> ا
  "\u0629": "\u0647", // ة -> ه
  "\u0649": "\u064a", // ى -> ي
  "\u0624": "\u0648", // ؤ -> و
  "\u0626": "\u064a", // ئ -> ي
  "\u06cc": "\u064a", // Persian ی -> ي
  "\u06a9": "\u0643", // Persian ک -> ك
};

function isArabicMark(c: number): boolean {
  return (
    (c >= 0x064b && c <= 0x065f) || // harakat, tanween, shadda, sukun
    c === 0x0670 || // superscript alef
    (c >= 0x06d6 && c <= 0x06ed) || // Quranic annotation marks
    c === 0x0640 // tatweel
  );
}

/** True when the string contains at least one Arabic-block letter. */
export function hasArabic(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x0600 && c <= 0x06ff) return true;
  }
  return false;
}

/** The letters foldText spells out (ß, æ, œ, ø, ı, đ, ł), either case where it folds both. */
const LIGATURES = /[ßæÆœŒøØıđĐłŁ]/;

/**
 * Folds text for comparison: NFKC (presentation forms, full-width letters), Arabic diacritics and
 * tatweel removed, Arabic letter variants folded, Latin lowercased with accents stripped,
 * digits made ASCII. Punctuation is kept; callers decide how to tokenize.
 */
export function foldText(text: string): string {
  // eslint-disable-next-line no-control-regex -- "only ASCII" includes control characters
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase(); // ASCII: NFKC changes nothing
  let s = text.normalize("NFKC");
  // NFKD splits accents off Latin letters and hamza/madda off Arabic alef, waw and yeh
  // (أ = ا + U+0654); dropping the marks folds both in one pass.
  // eslint-disable-next-line no-control-regex -- "anything outside ASCII"
  if (/[^\u0000-\u007f]/.test(s)) {
    let folded = "";
    for (const ch of s.normalize("NFKD")) {
      const c = ch.charCodeAt(0);
      if (c >= 0x0300 && c <= 0x036f) continue;
      if (isArabicMark(c)) continue;
      folded += ARABIC_FOLDS[ch] ?? ch;
    }
    // One scan for the letters below instead of seven replace passes over every Arabic field.
    s = !LIGATURES.test(folded) ? folded : folded
      .replace(/ß/g, "ss")
      .replace(/æ/gi, "ae")
      .replace(/œ/gi, "oe")
      .replace(/ø/gi, "o")
      .replace(/ı/g, "i")
      .replace(/đ/gi, "d")
      .replace(/ł/gi, "l");
  }
  return toAsciiDigits(s.toLowerCase());
}
