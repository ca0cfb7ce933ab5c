import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { toAsciiDigits } from "./text";

export interface NormalizedPhone {
  /** E.164 when valid (+966501234567), otherwise the input as written (trimmed). */
  value: string;
  /** Only valid numbers that are not placeholders (0500000000) may link records. */
  linkable: boolean;
  valid: boolean;
}

/**
 * Parses a phone with the shop's country as default region: Arabic-Indic and Persian digits
 * become ASCII, "00" becomes "+", and a national number typed without its trunk 0
 * (501234567) still parses. Invalid numbers are kept as written and never link.
 */
export function normalizePhone(
  raw: string | null | undefined,
  defaultCountry: string,
): NormalizedPhone | null {
  if (!raw) return null;
  const written = raw.trim();
  if (written.length === 0) return null;
  if (defaultCountry === "SA" || defaultCountry === "sa") {
    const fast = toSaudiMobileE164(written);
    if (fast) return { value: fast, linkable: !isPlaceholderNumber(fast.slice(4)), valid: true };
  }
  let text = toAsciiDigits(written).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");
  const digits = text.replace(/\D/g, "");
  if (digits.length === 0) return { value: written, linkable: false, valid: false };
  text = text.trim();
  if (text.startsWith("00")) text = `+${text.slice(2)}`;
  else if (text.startsWith("+") === false && digits.startsWith("00")) text = `+${digits.slice(2)}`;
  const country = defaultCountry.toUpperCase() as CountryCode;
  let parsed = safeParse(text, country);
  if (!parsed || !parsed.isValid()) {
    // Missing "+" on an international number (966501234567) or the whole number typed as digits.
    const retry = text.startsWith("+") ? null : safeParse(`+${digits}`, country);
    if (retry && retry.isValid()) parsed = retry;
  }
  if (!parsed || !parsed.isValid()) return { value: written, linkable: false, valid: false };
  const e164 = parsed.number as string;
  return { value: e164, linkable: !isPlaceholderNumber(parsed.nationalNumber as string), valid: true };
}

/**
 * Fast path for the format most Saudi shops hold: a mobile number (5 + 8 digits) written as
 * 05XXXXXXXX, 5XXXXXXXX, 9665XXXXXXXX, +9665XXXXXXXX or 009665XXXXXXXX, in ASCII, Arabic-Indic or
 * Persian digits, with spaces, dashes, dots, parentheses or bidi marks between. Returns the E.164
 * form, or null when the text is anything else (then libphonenumber decides). libphonenumber's
 * metadata makes every 5 + 8 digit Saudi number valid, so this agrees with it by construction.
 */
export function toSaudiMobileE164(text: string): string | null {
  let digits = "";
  let plus = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += text[i];
    else if (c >= 0x0660 && c <= 0x0669) digits += String.fromCharCode(c - 0x0660 + 48);
    else if (c >= 0x06f0 && c <= 0x06f9) digits += String.fromCharCode(c - 0x06f0 + 48);
    else if (c === 43 /* + */) {
      if (digits.length > 0 || plus) return null;
      plus = true;
    } else if (!(c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 0x200e || c === 0x200f || c === 0xa0)) return null;
    if (digits.length > 14) return null;
  }
  let nsn: string;
  if (plus) {
    if (digits.length !== 12 || !digits.startsWith("9665")) return null;
    nsn = digits.slice(3);
  } else if (digits.length === 9) nsn = digits;
  else if (digits.length === 10 && digits.charCodeAt(0) === 48) nsn = digits.slice(1);
  else if (digits.length === 12 && digits.startsWith("966")) nsn = digits.slice(3);
  else if (digits.length === 14 && digits.startsWith("00966")) nsn = digits.slice(5);
  else return null;
  return nsn.charCodeAt(0) === 53 /* 5 */ ? `+966${nsn}` : null;
}

function safeParse(text: string, country: CountryCode) {
  try {
    return parsePhoneNumberFromString(text, country);
  } catch {
    return undefined;
  }
}

/** Repeated-digit national numbers (500000000, 555555555) are typed when the shopper gives none. */
export function isPlaceholderNumber(nationalNumber: string): boolean {
  const subscriber = nationalNumber.slice(-7);
  if (/^(\d)\1+$/.test(subscriber)) return true;
  if (nationalNumber.length < 7) return false;
  let seen = 0;
  for (let i = 0; i < nationalNumber.length; i++) seen |= 1 << (nationalNumber.charCodeAt(i) - 48);
  return popcount(seen) <= 2;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
