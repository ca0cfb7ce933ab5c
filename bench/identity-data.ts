/**
 * Generator of customer records with known truth for the identity benchmark and tests.
 * Deterministic for a seed. Models what Saudi/Gulf merchants really hold: few very common names
 * (many different people called Mohammed Al-Qahtani in Riyadh), Arabic and Latin spellings of the
 * same name, typos, swapped and missing name parts, phones in every format (Arabic-Indic digits,
 * 00966, no trunk 0), families sharing a phone and an address, walk-ins typed with the store's
 * phone, placeholder emails, and records with nothing usable.
 */

export interface GeneratedRecord {
  id: string;
  first_name: string;
  last_name: string;
  full_name: string;
  email: string;
  phone: string;
  address1: string;
  city: string;
  postcode: string;
  country: string;
  birth_date: string;
  /** Truth: which person this record belongs to. Not written to the CLI input. */
  person: number;
}

/** Mulberry32: small, fast, seedable. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Name = [arabic: string, ...latin: string[]];

// Real spelling variants, most common first (the generator picks with a Zipf-like skew).
const MALE: Name[] = [
  ["محمد", "Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad"],
  ["عبدالله", "Abdullah", "Abdallah", "Abdulla", "Abd Allah"],
  ["أحمد", "Ahmed", "Ahmad"],
  ["عبدالرحمن", "Abdulrahman", "Abdurrahman", "Abdel Rahman", "Abd Al-Rahman"],
  ["خالد", "Khalid", "Khaled"],
  ["فهد", "Fahad", "Fahd"],
  ["سعود", "Saud", "Saoud"],
  ["فيصل", "Faisal", "Faysal", "Feisal"],
  ["عبدالعزيز", "Abdulaziz", "Abdelaziz", "Abd Al-Aziz"],
  ["سلطان", "Sultan", "Soltan"],
  ["ناصر", "Nasser", "Naser", "Nasir"],
  ["سعد", "Saad", "Sa'ad"],
  ["يوسف", "Yousef", "Youssef", "Yusuf", "Yosef"],
  ["عمر", "Omar", "Umar"],
  ["علي", "Ali"],
  ["إبراهيم", "Ibrahim", "Ebrahim"],
  ["تركي", "Turki", "Torki"],
  ["بندر", "Bandar", "Bander"],
  ["ماجد", "Majed", "Majid"],
  ["سعيد", "Saeed", "Said", "Saeid"],
  ["محمود", "Mahmoud", "Mahmood", "Mahmud"],
  ["حمد", "Hamad"],
  ["حامد", "Hamid", "Hamed"],
  ["نايف", "Nayef", "Naif", "Nayif"],
  ["مشعل", "Mishal", "Meshal", "Mishaal"],
  ["عثمان", "Othman", "Osman", "Uthman"],
  ["طلال", "Talal"],
  ["وليد", "Waleed", "Walid"],
  ["ياسر", "Yasser", "Yasir", "Yaser"],
  ["زياد", "Ziyad", "Ziad", "Zeyad"],
  ["حسن", "Hassan", "Hasan"],
  ["حسين", "Hussein", "Hussain", "Husain"],
  ["عادل", "Adel", "Adil"],
  ["مازن", "Mazen", "Mazin"],
  ["راشد", "Rashid", "Rashed"],
  ["منصور", "Mansour", "Mansoor", "Mansur"],
  ["صالح", "Saleh", "Salih"],
  ["هشام", "Hisham", "Hesham"],
  ["أيمن", "Ayman", "Aiman"],
  ["أسامة", "Osama", "Usama", "Osamah"],
];
const FEMALE: Name[] = [
  ["نورة", "Noura", "Nora", "Norah", "Nourah"],
  ["فاطمة", "Fatimah", "Fatma", "Fatima", "Fatemah"],
  ["سارة", "Sara", "Sarah"],
  ["عائشة", "Aisha", "Aysha", "Ayesha", "Aishah"],
  ["مريم", "Maryam", "Mariam", "Mariyam"],
  ["ريم", "Reem", "Rim"],
  ["هند", "Hind", "Hend"],
  ["منى", "Mona", "Muna"],
  ["لطيفة", "Latifa", "Latifah", "Lateefa"],
  ["العنود", "Alanoud", "Al-Anoud", "Anoud"],
  ["الجوهرة", "Aljohara", "Al-Jawhara", "Jawhara"],
  ["هيفاء", "Haifa", "Hayfa"],
  ["أمل", "Amal"],
  ["شهد", "Shahad", "Shahd"],
  ["دانة", "Dana", "Danah"],
  ["رنا", "Rana"],
  ["لمى", "Lama"],
  ["غادة", "Ghada", "Ghadah"],
  ["خلود", "Kholoud", "Khulood", "Khuloud"],
  ["عبير", "Abeer", "Abir"],
  ["أسماء", "Asma", "Asmaa"],
  ["حصة", "Hessa", "Hissah", "Hessah"],
  ["بشرى", "Bushra", "Boshra"],
  ["جواهر", "Jawaher", "Jawahir"],
  ["وفاء", "Wafa", "Wafaa"],
  ["رهف", "Rahaf"],
  ["ليلى", "Layla", "Laila", "Leila"],
  ["ندى", "Nada"],
  ["هيا", "Haya"],
  ["مشاعل", "Mashael", "Mashail"],
];
const FAMILY: Name[] = [
  ["القحطاني", "Al-Qahtani", "Alqahtani", "Al Qahtani", "Alkahtani", "Qahtani"],
  ["العتيبي", "Al-Otaibi", "Alotaibi", "Al Otaibi", "Otaibi", "Al-Oteibi"],
  ["الغامدي", "Al-Ghamdi", "Alghamdi", "Ghamdi", "Al Ghamdi"],
  ["الدوسري", "Al-Dosari", "Aldossary", "Al-Dossari", "Aldosari"],
  ["الشهري", "Al-Shehri", "Alshehri", "Al Shahri", "Shehri"],
  ["الزهراني", "Al-Zahrani", "Alzahrani", "Zahrani"],
  ["الحربي", "Al-Harbi", "Alharbi", "Harbi"],
  ["المطيري", "Al-Mutairi", "Almutairi", "Al-Mutery", "Mutairi"],
  ["العنزي", "Al-Anazi", "Alanazi", "Al-Enezi", "Anazi"],
  ["الشمري", "Al-Shammari", "Alshammari", "Shammari", "Al-Shamari"],
  ["السبيعي", "Al-Subaie", "Alsubaie", "Al-Subaei"],
  ["المالكي", "Al-Malki", "Almalki", "Al-Maliki"],
  ["العمري", "Al-Omari", "Alomari", "Al-Amri"],
  ["الرشيد", "Al-Rasheed", "Alrasheed", "Al-Rashid", "Al Rashid"],
  ["السديري", "Al-Sudairy", "Alsudairi", "Al-Sudairi"],
  ["البقمي", "Al-Buqami", "Albogami", "Al-Baqami"],
  ["العسيري", "Al-Asiri", "Alasiri", "Asiri", "Aseeri"],
  ["الخالدي", "Al-Khalidi", "Alkhaldi", "Al-Khaldi"],
  ["الجهني", "Al-Juhani", "Aljohani", "Al-Johani"],
  ["السلمي", "Al-Sulami", "Alsulami", "Al-Solami"],
  ["الحارثي", "Al-Harthi", "Alharthy", "Al-Harthy"],
  ["البلوي", "Al-Balawi", "Albalawi"],
  ["الثبيتي", "Al-Thubaiti", "Althubaiti", "Al-Thobaiti"],
  ["الأحمدي", "Al-Ahmadi", "Alahmadi"],
  ["اليامي", "Al-Yami", "Alyami"],
  ["النعيمي", "Al-Nuaimi", "Alnuaimi", "Al-Noaimi"],
  ["الفيفي", "Al-Faifi", "Alfaifi"],
  ["الراشد", "Al-Rashed", "Alrashed"],
  ["السالم", "Al-Salem", "Alsalem", "Al-Salim"],
  ["الكعبي", "Al-Kaabi", "Alkaabi"],
  ["بن لادن", "Binladen", "Bin Ladin"],
  ["باوزير", "Bawazir", "Bawazeer"],
  ["خوجة", "Khoja", "Khojah"],
  ["حكيم", "Hakeem", "Hakim"],
  ["سندي", "Sindi", "Sendi"],
  ["فلمبان", "Filimban", "Felemban"],
  ["تونسي", "Tounsi", "Tunisi"],
  ["الصاعدي", "Al-Saedi", "Alsaedi", "Al-Saadi"],
  ["الرويلي", "Al-Ruwaili", "Alruwaili", "Al-Rowaili"],
  ["الحمدان", "Al-Hamdan", "Alhamdan"],
];
const CITIES: [string[], number][] = [
  [["Riyadh", "الرياض", "Riyad", "Ar Riyadh", "RIYADH"], 11],
  [["Jeddah", "جدة", "Jiddah", "Jedda"], 21],
  [["Makkah", "مكة", "Mecca", "مكة المكرمة"], 24],
  [["Madinah", "المدينة المنورة", "Medina", "Al Madinah"], 42],
  [["Dammam", "الدمام", "Dammam City"], 32],
  [["Khobar", "الخبر", "Al Khobar", "Al-Khobar"], 34],
  [["Taif", "الطائف", "Al Taif"], 26],
  [["Abha", "أبها"], 62],
  [["Tabuk", "تبوك"], 71],
  [["Buraydah", "بريدة", "Buraidah"], 52],
  [["Hail", "حائل", "Hayil"], 55],
  [["Jazan", "جازان", "Jizan"], 45],
];
const STREETS: [string, string][] = [
  ["King Fahd Rd", "طريق الملك فهد"], ["Olaya St", "شارع العليا"], ["Prince Sultan St", "شارع الأمير سلطان"],
  ["Tahlia St", "شارع التحلية"], ["King Abdulaziz Rd", "طريق الملك عبدالعزيز"], ["Al Urubah Rd", "طريق العروبة"],
  ["Makkah Rd", "طريق مكة"], ["Prince Mohammed bin Abdulaziz St", "شارع الأمير محمد بن عبدالعزيز"],
  ["Al Madinah Rd", "طريق المدينة"], ["Hira St", "شارع حراء"], ["Al Imam Saud Rd", "طريق الإمام سعود"],
  ["Uthman bin Affan Rd", "طريق عثمان بن عفان"],
];
const DISTRICTS: [string, string][] = [
  ["Al Olaya", "العليا"], ["Al Malqa", "الملقا"], ["Al Narjis", "النرجس"], ["Al Yasmin", "الياسمين"],
  ["Al Rawdah", "الروضة"], ["Al Salamah", "السلامة"], ["Al Nahdah", "النهضة"], ["Al Shati", "الشاطئ"],
  ["Al Aziziyah", "العزيزية"], ["Al Faisaliyah", "الفيصلية"], ["Al Hamra", "الحمراء"], ["Al Safa", "الصفا"],
  ["Al Marwah", "المروة"], ["Al Khaldiyah", "الخالدية"], ["Al Wurud", "الورود"], ["Al Sulaimaniyah", "السليمانية"],
];
const EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "live.com"];
const WALK_IN_NAMES = ["walk-in", "Walk In Customer", "عميل", "زبون نقدي", ""];
const AR_DIGITS = "٠١٢٣٤٥٦٧٨٩";

interface Person {
  male: boolean;
  first: Name;
  father: Name;
  family: Name;
  phone: string; // national, 10 digits 05XXXXXXXX
  ownPhone: string;
  emails: string[];
  cityIndex: number;
  postcode: string;
  address: [en: string, ar: string];
  birth: string;
}

export interface GenerateOptions {
  records: number;
  seed: number;
}

/** Generates `records` rows; `person` is the truth. Same options give the same rows. */
export function generateIdentityRecords({ records, seed }: GenerateOptions): GeneratedRecord[] {
  const rand = createRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  // Zipf-like: index i with weight 1/(i+1)^s.
  const zipf = <T>(xs: readonly T[], s = 0.9): T => {
    const key = `${xs.length}:${s}`;
    let cdf = zipfCache.get(key);
    if (!cdf) {
      cdf = [];
      let total = 0;
      for (let i = 0; i < xs.length; i++) cdf.push((total += 1 / (i + 1) ** s));
      cdf = cdf.map((c) => c / total);
      zipfCache.set(key, cdf);
    }
    const u = rand();
    let lo = 0;
    while (cdf[lo] < u) lo++;
    return xs[lo];
  };
  const zipfCache = new Map<string, number[]>();
  const usedPhones = new Set<string>();
  const newPhone = () => {
    for (;;) {
      const p = `05${pick(["0", "3", "4", "5", "6", "8", "9"])}${String(Math.floor(rand() * 1e7)).padStart(7, "0")}`;
      if (!usedPhones.has(p) && new Set(p.slice(2)).size > 2) {
        usedPhones.add(p);
        return p;
      }
    }
  };
  const storePhones = Array.from({ length: 6 }, () => newPhone());

  const out: GeneratedRecord[] = [];
  let personId = 0;
  let emailSerial = 0;
  const makeEmail = (p: { first: Name; family: Name }) => {
    const f = latin(p.first[1]).toLowerCase();
    const l = latin(p.family[1]).toLowerCase().replace(/^al[- ]?/, "");
    const style = Math.floor(rand() * 5);
    const n = String(emailSerial++ % 10000);
    const local = [`${f}.${l}${n}`, `${f}${n}`, `${f[0]}${l}${n}`, `${f}_${l}${n}`, `${l}.${f}${n}`][style];
    return `${local}@${pick(EMAIL_DOMAINS)}`;
  };

  while (out.length < records) {
    // A household: 1-4 people with one family name, one address, often one shared phone.
    const family = zipf(FAMILY, 0.8);
    const cityIndex = CITIES.indexOf(zipf(CITIES, 1.1));
    const [, cityCode] = CITIES[cityIndex];
    const district = Math.floor(rand() * DISTRICTS.length);
    const postcode = `${cityCode}${String(district * 6 + Math.floor(rand() * 6)).padStart(3, "0")}`;
    const building = 1000 + Math.floor(rand() * 9000);
    const street = pick(STREETS);
    const address: [string, string] = [
      `${building} ${street[0]}, ${DISTRICTS[district][0]}`,
      `${street[1]} ${toArabicDigits(String(building))} حي ${DISTRICTS[district][1]}`,
    ];
    const householdSize = rand() < 0.7 ? 1 : 2 + Math.floor(rand() * 3);
    const householdPhone = newPhone();
    const father = zipf(MALE);
    const taken = new Set<Name>();
    for (let h = 0; h < householdSize && out.length < records; h++) {
      const male = rand() < 0.55;
      let first = male ? zipf(MALE) : zipf(FEMALE);
      // Siblings and spouses do not share a first name.
      while (taken.has(first)) first = male ? zipf(MALE) : zipf(FEMALE);
      taken.add(first);
      const own = newPhone();
      const p: Person = {
        male,
        first,
        father: h === 0 ? zipf(MALE) : father,
        family,
        ownPhone: own,
        phone: householdSize > 1 && rand() < 0.35 ? householdPhone : own,
        emails: [],
        cityIndex,
        postcode,
        address,
        birth: rand() < 0.35 ? randomBirth(rand) : "",
      };
      if (rand() < 0.8) p.emails.push(makeEmail(p));
      if (rand() < 0.1) p.emails.push(makeEmail(p));
      const id = personId++;
      const count = recordCount(rand);
      for (let k = 0; k < count && out.length < records; k++) out.push(makeRecord(p, id));
    }
    // Walk-ins: strangers typed with the store's phone (each one a different person).
    if (rand() < 0.06 && out.length < records) {
      const p: Person = {
        male: rand() < 0.6, first: zipf(rand() < 0.6 ? MALE : FEMALE), father: zipf(MALE), family: zipf(FAMILY),
        ownPhone: "", phone: "", emails: [], cityIndex, postcode: "", address: ["", ""], birth: "",
      };
      const r = makeRecord(p, personId++);
      r.phone = formatPhone(pick(storePhones));
      r.email = "";
      r.address1 = "";
      r.postcode = "";
      if (rand() < 0.15) [r.first_name, r.last_name, r.full_name] = [pick(WALK_IN_NAMES), "", ""];
      out.push(r);
    }
  }
  // Shuffle: a person's records are scattered through the file as in a real export.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  out.forEach((r, i) => (r.id = `r${i + 1}`));
  return out;

  function makeRecord(p: Person, person: number): GeneratedRecord {
    const channel = rand();
    const online = channel < 0.45;
    const pos = !online && channel < 0.85;
    const arabic = pos ? rand() < 0.6 : rand() < 0.25;
    let first = arabic ? p.first[0] : pick(p.first.slice(1));
    let last = arabic ? p.family[0] : pick(p.family.slice(1));
    if (!arabic && rand() < 0.1) first = typo(first);
    else if (!arabic && rand() < 0.08) last = typo(last);
    else if (arabic && rand() < 0.02) last = arabicTypo(last);
    if (rand() < 0.04) [first, last] = [last, first];
    if (rand() < 0.07) last = "";
    if (!arabic && rand() < 0.02) first = `${first[0]}.`;
    const withFather = rand() < 0.2;
    const father = arabic ? p.father[0] : pick(p.father.slice(1));
    const r: GeneratedRecord = {
      id: "", first_name: "", last_name: "", full_name: "", email: "", phone: "", address1: "", city: "",
      postcode: "", country: "", birth_date: "", person,
    };
    if (rand() < 0.2) r.full_name = [first, withFather ? (arabic ? `بن ${father}` : `bin ${father}`) : "", last].filter(Boolean).join(" ");
    else {
      r.first_name = withFather ? `${first} ${father}` : first;
      r.last_name = last;
    }
    if (pos && rand() < 0.05) [r.first_name, r.last_name, r.full_name] = ["", "", ""];
    const hasEmail = p.emails.length > 0 && rand() < (online ? 0.95 : pos ? 0.15 : 0.7);
    if (hasEmail) r.email = emailVariant(pick(p.emails));
    // Web checkout asks for the shipping phone: Saudi carriers need it to deliver, and SA stores set
    // Shopify's "shipping address phone number" to required; a few orders still come without one.
    const hasPhone = rand() < (online ? 0.95 : pos ? 0.92 : 0.7);
    if (hasPhone || (!hasEmail && rand() < 0.85)) {
      let phone = p.phone && rand() < 0.9 ? p.phone : p.ownPhone;
      if (pos && rand() < 0.01) phone = pick(storePhones);
      if (rand() < 0.02) phone = digitTypo(phone);
      r.phone = phone ? formatPhone(phone) : "";
    }
    if (rand() < 0.004) r.email = pick(["test@test.com", "none@none.com", "no@email.com"]);
    if (rand() < 0.004) r.phone = pick(["0500000000", "0555555555", "٠٥٠٠٠٠٠٠٠٠"]);
    const withAddress = online ? rand() < 0.9 : !pos && rand() < 0.5;
    if (withAddress) {
      r.address1 = rand() < 0.3 ? p.address[1] : p.address[0];
      r.postcode = rand() < 0.9 ? p.postcode : "";
      r.country = pick(["SA", "Saudi Arabia", "السعودية", ""]);
    }
    if (withAddress || rand() < 0.3) r.city = pick(CITIES[p.cityIndex][0]);
    if (p.birth && rand() < (pos ? 0.1 : 0.4)) r.birth_date = rand() < 0.5 ? p.birth : toDmy(p.birth);
    if (rand() < 0.002) {
      for (const k of ["first_name", "last_name", "full_name", "email", "phone", "address1", "city", "postcode", "country", "birth_date"] as const) r[k] = "";
    }
    return r;
  }

  function emailVariant(e: string): string {
    const [local, domain] = e.split("@");
    const u = rand();
    if (u < 0.1) return e.toUpperCase();
    if (u < 0.15) return ` ${e} `;
    if (domain === "gmail.com" && u < 0.25) return `${local.replace(".", "")}+shop@${rand() < 0.5 ? "googlemail.com" : "gmail.com"}`;
    if (u < 0.26) return `${local}@${domain.replace("mail", "mial")}`; // typo: a different address
    return e;
  }

  function formatPhone(national: string): string {
    const sub = national.slice(1); // 5XXXXXXXX
    const u = rand();
    if (u < 0.35) return national;
    if (u < 0.5) return `+966${sub}`;
    if (u < 0.6) return `+966 ${sub.slice(0, 2)} ${sub.slice(2, 5)} ${sub.slice(5)}`;
    if (u < 0.68) return `00966${sub}`;
    if (u < 0.75) return sub;
    if (u < 0.83) return toArabicDigits(national);
    if (u < 0.88) return `${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`;
    if (u < 0.93) return `966${sub}`;
    return toPersianDigits(national);
  }

  function digitTypo(phone: string): string {
    const i = 3 + Math.floor(rand() * (phone.length - 3));
    const d = (Number(phone[i]) + 1 + Math.floor(rand() * 9)) % 10;
    return phone.slice(0, i) + d + phone.slice(i + 1);
  }

  function typo(s: string): string {
    if (s.length < 4) return s;
    const i = 1 + Math.floor(rand() * (s.length - 2));
    const kind = rand();
    if (kind < 0.35) return s.slice(0, i) + s.slice(i + 1); // deletion
    if (kind < 0.65) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // transposition
    if (kind < 0.85) return s.slice(0, i) + s[i] + s.slice(i); // doubled letter
    return s.slice(0, i) + pick([..."aeiou"]) + s.slice(i + 1); // vowel substitution
  }

  function arabicTypo(s: string): string {
    // Diacritics, tatweel and hamza forms are the common "typos" in Arabic input.
    const u = rand();
    if (u < 0.4) return s.replace(/ا/, "أ");
    if (u < 0.7) return s.length > 3 ? `${s.slice(0, 2)}ـ${s.slice(2)}` : s;
    return s.replace(/ي$/, "ى").replace(/ة$/, "ه");
  }
}

function recordCount(rand: () => number): number {
  let n = 1;
  while (n < 8 && rand() < 0.55) n++;
  return n;
}

function randomBirth(rand: () => number): string {
  const y = 1955 + Math.floor(rand() * 50);
  const m = 1 + Math.floor(rand() * 12);
  const d = 1 + Math.floor(rand() * 28);
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function toDmy(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

function latin(s: string): string {
  return s.replace(/[^A-Za-z]/g, "");
}

function toArabicDigits(s: string): string {
  return s.replace(/\d/g, (d) => AR_DIGITS[Number(d)]);
}

function toPersianDigits(s: string): string {
  return s.replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[Number(d)]);
}

export const CSV_COLUMNS = [
  "id", "first_name", "last_name", "full_name", "email", "phone", "address1", "city", "postcode", "country", "birth_date",
] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (no newline) of a generated record, in CSV_COLUMNS order. */
export function toCsvLine(r: GeneratedRecord): string {
  return CSV_COLUMNS.map((c) => csvField(r[c])).join(",");
}

/**
 * Pairwise precision and recall of predicted clusters against the truth: a pair of records is
 * predicted when they share a cluster and true when they share a person.
 */
export function scorePairs(predicted: ArrayLike<number | string>, truth: ArrayLike<number>): { precision: number; recall: number; truePairs: number; predictedPairs: number } {
  const byCell = new Map<string, number>();
  const byCluster = new Map<number | string, number>();
  const byPerson = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    const c = predicted[i];
    const t = truth[i];
    byCell.set(`${c}\u0000${t}`, (byCell.get(`${c}\u0000${t}`) ?? 0) + 1);
    byCluster.set(c, (byCluster.get(c) ?? 0) + 1);
    byPerson.set(t, (byPerson.get(t) ?? 0) + 1);
  }
  const pairs = (m: Map<unknown, number>) => {
    let s = 0;
    for (const v of m.values()) s += (v * (v - 1)) / 2;
    return s;
  };
  const tp = pairs(byCell);
  const predictedPairs = pairs(byCluster);
  const truePairs = pairs(byPerson);
  return {
    precision: predictedPairs === 0 ? 1 : tp / predictedPairs,
    recall: truePairs === 0 ? 1 : tp / truePairs,
    truePairs,
    predictedPairs,
  };
}

function phoneDigits(raw: string): string {
  const d = raw.replace(/[٠-٩]/g, (c) => String(c.charCodeAt(0) - 0x0660)).replace(/[۰-۹]/g, (c) => String(c.charCodeAt(0) - 0x06f0)).replace(/\D/g, "");
  return d.length >= 9 ? d.slice(-9) : "";
}

function emailUser(raw: string): string {
  const e = raw.trim().toLowerCase();
  const at = e.indexOf("@");
  const user = at > 0 ? e.slice(0, at).replace(/\+.*$/, "").replace(/\./g, "") : "";
  return user.length >= 6 ? user : "";
}

function buildingNumber(address: string): string {
  const m = /\d{4}/.exec(address.replace(/[٠-٩]/g, (c) => String(c.charCodeAt(0) - 0x0660)));
  return m ? m[0] : "";
}

function oneApart(a: string, b: string): boolean {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && ++d > 1) return false;
  return true;
}

/**
 * Truth restricted to what the data can show: two records of a person are "inferable" when a
 * chain of that person's records connects them, each step sharing observable evidence beyond a
 * name: a phone (or one digit apart), an email user name, an address (building number + postcode)
 * or a birth date. Records that share only a (common) name, or nothing, fall in different groups.
 * Returns a group label per record; pairwise recall against it is the recall on inferable pairs.
 */
export function inferableGroups(records: readonly GeneratedRecord[]): Int32Array {
  const byPerson = new Map<number, number[]>();
  records.forEach((r, i) => {
    const list = byPerson.get(r.person);
    if (list) list.push(i);
    else byPerson.set(r.person, [i]);
  });
  const label = new Int32Array(records.length).fill(-1);
  let next = 0;
  const evidence = (a: GeneratedRecord, b: GeneratedRecord) => {
    const pa = phoneDigits(a.phone);
    const pb = phoneDigits(b.phone);
    if (pa && pb && oneApart(pa, pb)) return true;
    const ea = emailUser(a.email);
    if (ea && ea === emailUser(b.email)) return true;
    const ba = buildingNumber(a.address1);
    if (ba && a.postcode && ba === buildingNumber(b.address1) && a.postcode === b.postcode) return true;
    if (a.birth_date && b.birth_date) {
      const iso = (s: string) => (/^\d{2}\/\d{2}\/\d{4}$/.test(s) ? `${s.slice(6)}-${s.slice(3, 5)}-${s.slice(0, 2)}` : s);
      if (iso(a.birth_date) === iso(b.birth_date)) return true;
    }
    return false;
  };
  for (const list of byPerson.values()) {
    const parent = list.map((_, k) => k);
    const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        if (find(x) !== find(y) && evidence(records[list[x]], records[list[y]])) parent[find(x)] = find(y);
      }
    }
    const ids = new Map<number, number>();
    list.forEach((rec, k) => {
      const root = find(k);
      let id = ids.get(root);
      if (id === undefined) ids.set(root, (id = next++));
      label[rec] = id;
    });
  }
  return label;
}
