/**
 * Name pools for Gulf shoppers. Each entry has its Arabic script and its real Latin spellings,
 * most common first; the generator picks a spelling per record, so the same person can be
 * "Mohammed Al-Qahtani" online and "Muhammad Alqahtani" or "محمد القحطاني" at the till.
 */
import type { Prng } from "./prng";

export interface NameEntry {
  ar: string;
  en: readonly string[];
}

export type Origin = "saudi" | "egyptian" | "levantine" | "indian" | "pakistani" | "filipino" | "western";

export interface OriginPool {
  origin: Origin;
  /** Share of shoppers of this origin. */
  weight: number;
  /** True when shoppers and staff write these names in Arabic script as a matter of course. */
  arabic: boolean;
  male: readonly NameEntry[];
  female: readonly NameEntry[];
  family: readonly NameEntry[];
}

const n = (ar: string, ...en: string[]): NameEntry => ({ ar, en });

const SAUDI_MALE: readonly NameEntry[] = [
  n("محمد", "Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mohammad"),
  n("عبدالله", "Abdullah", "Abdallah", "Abdulla", "Abdollah"),
  n("عبدالرحمن", "Abdulrahman", "Abdul Rahman", "Abdelrahman", "Abdurrahman"),
  n("عبدالعزيز", "Abdulaziz", "Abdul Aziz", "Abdelaziz", "Abdulazeez"),
  n("فهد", "Fahad", "Fahd"),
  n("خالد", "Khalid", "Khaled"),
  n("سعود", "Saud", "Saoud"),
  n("سلطان", "Sultan", "Soltan"),
  n("فيصل", "Faisal", "Faysal", "Fesal"),
  n("تركي", "Turki", "Turky"),
  n("ناصر", "Nasser", "Naser", "Nasir"),
  n("عمر", "Omar", "Umar"),
  n("علي", "Ali"),
  n("أحمد", "Ahmed", "Ahmad"),
  n("يوسف", "Yousef", "Yusuf", "Youssef", "Yousif"),
  n("إبراهيم", "Ibrahim", "Ebrahim"),
  n("سلمان", "Salman"),
  n("ماجد", "Majed", "Majid"),
  n("بندر", "Bandar"),
  n("نايف", "Naif", "Nayef"),
  n("مشعل", "Mishal", "Meshal", "Mishaal"),
  n("حمد", "Hamad"),
  n("راشد", "Rashid", "Rashed"),
  n("ياسر", "Yasser", "Yasir"),
  n("حسين", "Hussein", "Hussain", "Hussin"),
  n("عبدالمجيد", "Abdulmajeed", "Abdulmajid", "Abdul Majeed"),
  n("مساعد", "Musaed", "Mosaed"),
  n("زياد", "Ziyad", "Ziad"),
];

const SAUDI_FEMALE: readonly NameEntry[] = [
  n("فاطمة", "Fatimah", "Fatima", "Fatma"),
  n("نورة", "Noura", "Nourah", "Norah", "Nora"),
  n("سارة", "Sara", "Sarah"),
  n("ريم", "Reem", "Rim"),
  n("عائشة", "Aisha", "Aysha", "Aishah"),
  n("مريم", "Maryam", "Mariam", "Mariyam"),
  n("هيفاء", "Haifa", "Haifaa"),
  n("لطيفة", "Latifa", "Latifah"),
  n("منيرة", "Munira", "Muneera", "Munirah"),
  n("الجوهرة", "Aljawhara", "Al Jawhara", "Jawhara"),
  n("شهد", "Shahad"),
  n("لمى", "Lama"),
  n("رهف", "Rahaf"),
  n("جود", "Joud", "Jood"),
  n("هند", "Hind"),
  n("دانة", "Dana", "Danah"),
  n("أمل", "Amal"),
  n("خلود", "Kholoud", "Khulood", "Kholod"),
  n("العنود", "Alanoud", "Al Anoud", "Anoud"),
  n("منال", "Manal"),
  n("أسماء", "Asma", "Asmaa"),
  n("غادة", "Ghada"),
  n("وعد", "Waad", "Wa'ad"),
];

const SAUDI_FAMILY: readonly NameEntry[] = [
  n("القحطاني", "Al-Qahtani", "Alqahtani", "Al Qahtani", "AlQahtani", "AlKahtani", "Qahtani"),
  n("العتيبي", "Al-Otaibi", "Alotaibi", "Al Otaibi", "Al-Oteibi", "Otaibi"),
  n("الغامدي", "Al-Ghamdi", "Alghamdi", "Al Ghamdi", "Ghamdi"),
  n("الزهراني", "Al-Zahrani", "Alzahrani", "Az-Zahrani", "Al Zahrani"),
  n("الشمري", "Al-Shammari", "Alshammari", "Al Shamari", "Alshamary"),
  n("الدوسري", "Al-Dosari", "Aldossary", "Al-Dossari", "Aldawsari", "Al Dosari"),
  n("الحربي", "Al-Harbi", "Alharbi", "Al Harbi"),
  n("المطيري", "Al-Mutairi", "Almutairi", "Al Mutairy", "Al-Mutiri"),
  n("السبيعي", "Al-Subaie", "Alsubaie", "Al-Subaiei", "Al Subaiee"),
  n("العنزي", "Al-Anazi", "Alanazi", "Al-Enezi", "Alenezi", "Al Anazi"),
  n("الشهري", "Al-Shehri", "Alshehri", "Al Shahri", "Alshahri"),
  n("المالكي", "Al-Malki", "Almalki", "Al-Maliki", "Al Malki"),
  n("الرشيد", "Al-Rasheed", "Alrashid", "Al Rashid", "Al-Rashed"),
  n("العمري", "Al-Amri", "Alamri", "Al Omari", "Al-Amry"),
  n("الجهني", "Al-Juhani", "Aljohani", "Al Johani", "Al-Juhany"),
  n("التميمي", "Al-Tamimi", "Altamimi", "Al Tamimi", "Tamimi"),
  n("اليامي", "Al-Yami", "Alyami", "Al Yami"),
  n("الهاجري", "Al-Hajri", "Alhajri", "Al-Hajeri", "Al Hajri"),
  n("السهلي", "Al-Sahli", "Alsahli", "Al Sahly"),
  n("البلوي", "Al-Balawi", "Albalawi", "Al Balawi"),
  n("الخالدي", "Al-Khalidi", "Alkhalidi", "Al Khaldi"),
  n("العسيري", "Al-Asiri", "Alasiri", "Al Aseeri", "Al-Asmari"),
];

const EGYPTIAN_MALE: readonly NameEntry[] = [
  n("محمد", "Mohamed", "Mohammed", "Muhammad", "Mohamad"),
  n("أحمد", "Ahmed", "Ahmad"),
  n("محمود", "Mahmoud", "Mahmud", "Mahmood"),
  n("مصطفى", "Mostafa", "Mustafa", "Moustafa"),
  n("هاني", "Hany", "Hani"),
  n("تامر", "Tamer", "Tamir"),
  n("عمرو", "Amr", "Amro"),
  n("كريم", "Karim", "Kareem"),
  n("شريف", "Sherif", "Sharif"),
  n("وليد", "Walid", "Waleed"),
];
const EGYPTIAN_FEMALE: readonly NameEntry[] = [
  n("ياسمين", "Yasmin", "Yasmine", "Yasmeen"),
  n("منى", "Mona", "Muna"),
  n("إيمان", "Eman", "Iman", "Imane"),
  n("دينا", "Dina", "Deena"),
  n("هبة", "Heba", "Hiba"),
  n("نهى", "Noha", "Nuha"),
  n("رانيا", "Rania", "Ranya"),
];
const EGYPTIAN_FAMILY: readonly NameEntry[] = [
  n("عبدالفتاح", "Abdel Fattah", "Abdelfattah", "Abd El Fattah"),
  n("السيد", "El-Sayed", "Elsayed", "Al Sayed", "El Sayed"),
  n("حسن", "Hassan", "Hasan"),
  n("إبراهيم", "Ibrahim", "Ebrahim"),
  n("فهمي", "Fahmy", "Fahmi"),
  n("الشريف", "El Sherif", "Elsherif", "Al-Sharif"),
  n("عبدالحميد", "Abdelhamid", "Abdel Hamid", "Abdul Hameed"),
  n("منصور", "Mansour", "Mansur"),
];

const LEVANTINE_MALE: readonly NameEntry[] = [
  n("سامر", "Samer", "Samir"),
  n("رامي", "Rami", "Ramy"),
  n("فادي", "Fadi", "Fady"),
  n("محمد", "Mohammad", "Mohammed", "Mohamad"),
  n("عمر", "Omar", "Omer"),
];
const LEVANTINE_FEMALE: readonly NameEntry[] = [
  n("لينا", "Lina", "Leena"),
  n("رشا", "Rasha"),
  n("ديما", "Dima", "Deema"),
  n("سلمى", "Salma", "Selma"),
];
const LEVANTINE_FAMILY: readonly NameEntry[] = [
  n("الخطيب", "Al-Khatib", "Alkhateeb", "Khatib", "El Khatib"),
  n("حداد", "Haddad", "Hadad"),
  n("النجار", "Al-Najjar", "Alnajjar", "Najjar"),
  n("الحلبي", "Al-Halabi", "Halabi"),
  n("عبيدات", "Obeidat", "Ubeidat"),
];

const INDIAN_MALE: readonly NameEntry[] = [
  n("راهول", "Rahul", "Raahul"),
  n("أرجون", "Arjun", "Arjunan"),
  n("فيجاي", "Vijay", "Vijai"),
  n("سوريش", "Suresh", "Sureesh"),
  n("أنيل", "Anil", "Anil Kumar"),
  n("شفيق", "Shafeeq", "Shafiq", "Shafi"),
  n("عبدالكريم", "Abdul Kareem", "Abdul Karim", "Abdulkareem"),
  n("محمد", "Mohammed", "Muhammed", "Mohamed"),
];
const INDIAN_FEMALE: readonly NameEntry[] = [
  n("بريا", "Priya", "Priyah"),
  n("أنجلي", "Anjali", "Anjaly"),
  n("ديبا", "Deepa", "Dipa"),
  n("لاكشمي", "Lakshmi", "Laxmi"),
  n("فاطمة", "Fathima", "Fatima", "Fathimah"),
];
const INDIAN_FAMILY: readonly NameEntry[] = [
  n("ناير", "Nair", "Nayar"),
  n("كومار", "Kumar", "Kumaar"),
  n("مينون", "Menon", "Menen"),
  n("بيلاي", "Pillai", "Pillay"),
  n("شارما", "Sharma", "Sarma"),
  n("باتيل", "Patel", "Patil"),
  n("ريدي", "Reddy", "Reddi"),
  n("توماس", "Thomas", "Tomas"),
  n("فارغيز", "Varghese", "Verghese", "Varughese"),
  n("كوتي", "Kutty", "Kutti"),
];

const PAKISTANI_MALE: readonly NameEntry[] = [
  n("محمد عمران", "Muhammad Imran", "Mohammad Imran", "M. Imran"),
  n("آصف", "Asif", "Aasif"),
  n("بلال", "Bilal", "Belal"),
  n("عثمان", "Usman", "Osman", "Othman"),
  n("علي", "Ali"),
  n("حمزة", "Hamza", "Hamzah"),
];
const PAKISTANI_FEMALE: readonly NameEntry[] = [
  n("عائشة", "Ayesha", "Aisha", "Aysha"),
  n("ثناء", "Sana", "Sanaa"),
  n("زينب", "Zainab", "Zaynab", "Zenab"),
  n("حرا", "Hira", "Heera"),
];
const PAKISTANI_FAMILY: readonly NameEntry[] = [
  n("خان", "Khan"),
  n("أحمد", "Ahmed", "Ahmad"),
  n("قريشي", "Qureshi", "Kureshi", "Quraishi"),
  n("بت", "Butt", "Bhatt"),
  n("ملك", "Malik", "Malick"),
  n("شودري", "Chaudhry", "Choudhry", "Chaudhary"),
  n("صديقي", "Siddiqui", "Siddiqi", "Sidiqui"),
];

const FILIPINO_MALE: readonly NameEntry[] = [
  n("خوسيه", "Jose", "José"),
  n("مارك", "Mark", "Marc"),
  n("جون بول", "John Paul", "Johnpaul", "JP"),
  n("جيروم", "Jerome", "Jerom"),
  n("روميل", "Rommel", "Romel"),
  n("جون", "John", "Jhon"),
];
const FILIPINO_FEMALE: readonly NameEntry[] = [
  n("ماريا", "Maria", "Ma."),
  n("ماري جريس", "Mary Grace", "Marygrace", "Mary-Grace"),
  n("روينا", "Rowena", "Roweena"),
  n("كريستينا", "Cristina", "Kristina", "Christina"),
  n("جوي", "Joy", "Joyce"),
  n("جينيفر", "Jennifer", "Jenifer"),
];
const FILIPINO_FAMILY: readonly NameEntry[] = [
  n("سانتوس", "Santos"),
  n("رييس", "Reyes", "Reyez"),
  n("كروز", "Cruz"),
  n("ديلا كروز", "Dela Cruz", "Dela-Cruz", "Delacruz", "De la Cruz"),
  n("باوتيستا", "Bautista", "Batista"),
  n("غارسيا", "Garcia", "Garsia"),
  n("ميندوزا", "Mendoza"),
  n("فيلانويفا", "Villanueva", "Villaneuva", "Vilanueva"),
  n("راموس", "Ramos"),
];

const WESTERN_MALE: readonly NameEntry[] = [
  n("جيمس", "James"),
  n("جون", "John", "Jon"),
  n("ديفيد", "David", "Dave"),
  n("مايكل", "Michael", "Micheal", "Mike"),
  n("دانيال", "Daniel", "Danial"),
];
const WESTERN_FEMALE: readonly NameEntry[] = [
  n("سارة", "Sarah", "Sara"),
  n("إيما", "Emma"),
  n("لورا", "Laura"),
  n("آنا", "Anna", "Ana"),
  n("إميلي", "Emily", "Emilie"),
];
const WESTERN_FAMILY: readonly NameEntry[] = [
  n("سميث", "Smith", "Smyth"),
  n("جونسون", "Johnson", "Jonson"),
  n("ويليامز", "Williams", "Wiliams"),
  n("براون", "Brown", "Browne"),
  n("تايلور", "Taylor", "Tailor"),
  n("أوبراين", "O'Brien", "OBrien", "O Brien"),
  n("ماكدونالد", "McDonald", "MacDonald", "Mcdonald"),
  n("أندرسون", "Anderson", "Andersen"),
];

export const ORIGINS: readonly OriginPool[] = [
  { origin: "saudi", weight: 56, arabic: true, male: SAUDI_MALE, female: SAUDI_FEMALE, family: SAUDI_FAMILY },
  { origin: "egyptian", weight: 10, arabic: true, male: EGYPTIAN_MALE, female: EGYPTIAN_FEMALE, family: EGYPTIAN_FAMILY },
  { origin: "levantine", weight: 4, arabic: true, male: LEVANTINE_MALE, female: LEVANTINE_FEMALE, family: LEVANTINE_FAMILY },
  { origin: "indian", weight: 11, arabic: false, male: INDIAN_MALE, female: INDIAN_FEMALE, family: INDIAN_FAMILY },
  { origin: "pakistani", weight: 8, arabic: false, male: PAKISTANI_MALE, female: PAKISTANI_FEMALE, family: PAKISTANI_FAMILY },
  { origin: "filipino", weight: 7, arabic: false, male: FILIPINO_MALE, female: FILIPINO_FEMALE, family: FILIPINO_FAMILY },
  { origin: "western", weight: 4, arabic: false, male: WESTERN_MALE, female: WESTERN_FEMALE, family: WESTERN_FAMILY },
];

/** Index of a Latin spelling: the first is the most common, the rest share the remainder. */
export function pickSpelling(rng: Prng, entry: NameEntry, avoid = -1): number {
  const count = entry.en.length;
  if (count === 1) return 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = rng.float();
    const index = r < 0.5 ? 0 : 1 + Math.min(count - 2, Math.floor(((r - 0.5) / 0.5) * (count - 1)));
    if (index !== avoid) return index;
  }
  return avoid === 0 ? 1 : 0;
}

/**
 * Ways Arabic names are really typed: hamza dropped (أحمد -> احمد), taa marbuta as haa
 * (فاطمة -> فاطمه), alif maqsura as yaa (مصطفى -> مصطفي), compound names split (عبدالله ->
 * عبد الله), and the article dropped from family names (القحطاني -> قحطاني).
 */
export function arabicTypingVariant(rng: Prng, text: string): string {
  const options: ((s: string) => string)[] = [];
  if (/[أإآ]/.test(text)) options.push((s) => s.replace(/[أإآ]/g, "ا"));
  if (/ة(\s|$)/.test(text)) options.push((s) => s.replace(/ة(?=\s|$)/g, "ه"));
  if (/ى(\s|$)/.test(text)) options.push((s) => s.replace(/ى(?=\s|$)/g, "ي"));
  if (/^عبد(?!\s)/.test(text)) options.push((s) => s.replace(/^عبد/, "عبد "));
  if (/^ال/.test(text) && text.length > 5) options.push((s) => s.replace(/^ال/, ""));
  if (options.length === 0) return text;
  return rng.pick(options)(text);
}

/** One keyboard slip: swapped, dropped or doubled letter. Leaves very short words alone. */
export function latinTypo(rng: Prng, text: string): string {
  if (text.length < 4) return text;
  const i = rng.int(1, text.length - 2);
  const kind = rng.int(0, 2);
  if (kind === 0 && /[a-z]/i.test(text[i]) && /[a-z]/i.test(text[i + 1])) {
    return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  }
  if (kind === 1 && /[a-z]/i.test(text[i])) return text.slice(0, i) + text.slice(i + 1);
  return text.slice(0, i) + text[i] + text.slice(i);
}

/** An Arabic slip at the till: a letter dropped or a neighbouring key. */
export function arabicTypo(rng: Prng, text: string): string {
  if (text.length < 4) return text;
  const i = rng.int(1, text.length - 2);
  if (text[i] === " ") return text;
  if (rng.chance(0.5)) return text.slice(0, i) + text.slice(i + 1);
  const neighbours: Record<string, string> = { س: "ش", ش: "س", ح: "خ", خ: "ح", ت: "ن", ن: "ت", ي: "ب", ب: "ي", ر: "ز", ز: "ر", د: "ذ", ذ: "د" };
  const replacement = neighbours[text[i]];
  return replacement ? text.slice(0, i) + replacement + text.slice(i + 1) : text.slice(0, i) + text.slice(i + 1);
}

/** Letters only, lower case: the base of an email local part ("Al-Qahtani" -> "alqahtani"). */
export function emailToken(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}
