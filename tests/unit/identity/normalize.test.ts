import { describe, expect, it } from "vitest";
import {
  foldText,
  normalizeAddress,
  normalizeCity,
  normalizeEmail,
  normalizePhone,
  normalizePostcode,
  parseBirthDate,
  toAsciiDigits,
  toNameTokens,
} from "~/domain/identity";

describe("phone normalization for a Saudi shop", () => {
  it.each([
    ["0501234567", "+966501234567"],
    ["٠٥٠١٢٣٤٥٦٧", "+966501234567"],
    ["۰۵۰۱۲۳۴۵۶۷", "+966501234567"],
    ["+966 50 123 4567", "+966501234567"],
    ["00966501234567", "+966501234567"],
    ["501234567", "+966501234567"],
    ["966501234567", "+966501234567"],
    ["050-123-4567", "+966501234567"],
    ["+٩٦٦٥٠١٢٣٤٥٦٧", "+966501234567"],
    ["+971 50 123 4567", "+971501234567"],
  ])("turns %s into %s", (raw, e164) => {
    expect(normalizePhone(raw, "SA")).toEqual({ value: e164, linkable: true, valid: true });
  });

  it.each([["12345"], ["05012"], ["abc"]])("keeps the invalid number %s as written and never links it", (raw) => {
    expect(normalizePhone(raw, "SA")).toEqual({ value: raw, linkable: false, valid: false });
  });

  it.each([["0500000000"], ["0555555555"], ["٠٥٠٠٠٠٠٠٠٠"]])("parses the placeholder %s but marks it not linkable", (raw) => {
    expect(normalizePhone(raw, "SA")?.linkable).toBe(false);
  });

  it("returns null for an empty phone", () => {
    expect(normalizePhone("  ", "SA")).toBeNull();
  });
});

describe("digit folding", () => {
  it.each([
    ["٠١٢٣٤٥٦٧٨٩", "0123456789"],
    ["۰۱۲۳۴۵۶۷۸۹", "0123456789"],
    ["a١b۲", "a1b2"],
  ])("turns %s into %s", (raw, ascii) => {
    expect(toAsciiDigits(raw)).toBe(ascii);
  });
});

describe("Arabic letter folding", () => {
  it.each([
    ["آ", "ا"],
    ["أ", "ا"],
    ["إ", "ا"],
    ["ٱ", "ا"],
    ["ة", "ه"],
    ["ى", "ي"],
    ["ؤ", "و"],
    ["ئ", "ي"],
    ["ی", "ي"],
    ["ک", "ك"],
    ["مُحَمَّد", "محمد"],
    ["محـــمد", "محمد"],
    ["ﻣﺤﻤﺪ", "محمد"],
    ["José ÉLODIE", "jose elodie"],
  ])("folds %s to %s", (raw, folded) => {
    expect(foldText(raw)).toBe(folded);
  });
});

describe("name tokens", () => {
  it.each([
    ["Al-Qahtani", ["qahtani"]],
    ["القحطاني", ["قحطاني"]],
    ["Mohammed bin Salman Al Saud", ["mohammed", "salman", "saud"]],
    ["محمد بن سلمان آل سعود", ["محمد", "سلمان", "ال", "سعود"].filter((t) => t !== "ال")],
    ["Abdullah", ["abdlah"]],
    ["Abd Allah", ["abdlah"]],
    ["Abdallah", ["abdlah"]],
    ["عبد الله", ["عبدله"]],
    ["عبدالله", ["عبدله"]],
    ["Abdul Rahman", ["abdrahman"]],
    ["Abdurrahman", ["abdrahman"]],
    ["عبدالرحمن", ["عبدرحمن"]],
    ["Ali", ["ali"]],
    ["Alaa", ["alaa"]],
    ["Walk-in", []],
    ["عميل", []],
    ["Dr. Sara", ["sara"]],
  ])("splits %s into %j", (raw, tokens) => {
    expect(toNameTokens(raw)).toEqual(tokens);
  });
});

describe("email normalization", () => {
  it.each([
    [" Ali@Hotmail.COM ", "ali@hotmail.com", true],
    ["john.doe+shop@gmail.com", "johndoe@gmail.com", true],
    ["John.Doe@GoogleMail.com", "johndoe@gmail.com", true],
    ["john.doe+x@outlook.com", "john.doe+x@outlook.com", true],
    ["sara@bücher.de", "sara@xn--bcher-kva.de", true],
    ["نورة@مثال.السعودية", "نورة@xn--mgbh0fb.xn--mgberp4a5d4ar", true],
    ["test@test.com", "test@test.com", false],
    ["none@none.com", "none@none.com", false],
    ["walkin@mystore.sa", "walkin@mystore.sa", false],
  ])("normalizes %s to %s (linkable %s)", (raw, value, linkable) => {
    expect(normalizeEmail(raw)).toEqual({ value, linkable });
  });

  it.each([["not an email"], ["@gmail.com"], ["ali@"]])("rejects %s", (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });
});

describe("places", () => {
  it.each([
    ["Riyadh", "الرياض"],
    ["Riyad", "Ar Riyadh"],
    ["Jeddah", "جدة"],
    ["Makkah", "مكة المكرمة"],
    ["Mecca", "مكة"],
    ["Dammam", "الدمام"],
    ["Al Khobar", "الخبر"],
  ])("compares the city %s equal to %s", (a, b) => {
    expect(normalizeCity(a)).toBe(normalizeCity(b));
  });

  it("keeps different cities apart", () => {
    expect(normalizeCity("Riyadh")).not.toBe(normalizeCity("Jeddah"));
  });

  it.each([
    ["12345", "12345"],
    ["١٢٣٤٥", "12345"],
    ["12345-6789", "12345"],
    [" 11564 ", "11564"],
    ["00000", null],
  ])("normalizes the Saudi postcode %s to %s", (raw, out) => {
    expect(normalizePostcode(raw, "SA")).toBe(out);
  });

  it("reduces an English and an Arabic address to shared sound tokens", () => {
    expect(normalizeAddress("1234 King Fahd Rd, Al Olaya")).toBe("1234 fhd");
    expect(normalizeAddress("طريق الملك فهد ١٢٣٤ حي العليا")).toBe("1234 fhd");
    expect(normalizeAddress("3392 Prince Sultan St, Al Malqa")).toBe(normalizeAddress("شارع الأمير سلطان ٣٣٩٢ حي الملقا"));
    expect(normalizeAddress("4554 Hira St, Al Hamra")).toBe(normalizeAddress("4554 Hira Street", "Al-Hamra"));
  });

  it.each([
    ["1990-04-21", 19900421],
    ["21/04/1990", 19900421],
    ["١٩٩٠-٠٤-٢١", 19900421],
    ["1990-13-01", 0],
    ["", 0],
  ])("parses the birth date %s as %s", (raw, out) => {
    expect(parseBirthDate(raw)).toBe(out);
  });
});
