/**
 * The demo shop's catalogue: perfumes and bakhoor, abayas and menswear, dates, coffee, and phone
 * accessories, with Arabic and English titles and SAR prices in halalas (1 SAR = 100 halalas).
 */

export type Category = "perfume" | "fashion" | "dates" | "coffee" | "electronics";

export interface CatalogVariant {
  title: string;
  titleAr: string;
  skuSuffix: string;
  /** Tax-inclusive SAR price in halalas. */
  priceHalalas: number;
}

export interface CatalogProduct {
  handle: string;
  sku: string;
  titleEn: string;
  titleAr: string;
  category: Category;
  vendor: string;
  /** Relative popularity before seasonal boosts. */
  popularity: number;
  variants: readonly CatalogVariant[];
}

const v = (title: string, titleAr: string, skuSuffix: string, sar: number): CatalogVariant => ({
  title,
  titleAr,
  skuSuffix,
  priceHalalas: Math.round(sar * 100),
});
const single = (sar: number) => [v("Default Title", "افتراضي", "", sar)];
const ml = (small: number, large: number) => [v("50 ml", "٥٠ مل", "50", small), v("100 ml", "١٠٠ مل", "100", large)];
const grams = (a: string, aAr: string, pa: number, b: string, bAr: string, pb: number) => [
  v(a, aAr, a.replace(/\s/g, "").toUpperCase(), pa),
  v(b, bAr, b.replace(/\s/g, "").toUpperCase(), pb),
];
const abayaSizes = (sar: number) =>
  ["52", "54", "56", "58"].map((size) => v(`Black / ${size}`, `أسود / ${size}`, `BLK-${size}`, sar));
const colours = (sar: number) => [
  v("Black", "أسود", "BLK", sar),
  v("White", "أبيض", "WHT", sar),
  v("Blue", "أزرق", "BLU", sar),
];
const phoneModels = (sar: number) => [
  v("iPhone 16", "آيفون ١٦", "IP16", sar),
  v("iPhone 16 Pro", "آيفون ١٦ برو", "IP16P", sar),
  v("iPhone 17 Pro Max", "آيفون ١٧ برو ماكس", "IP17PM", sar),
  v("Galaxy S25", "جالكسي إس ٢٥", "S25", sar),
];

const p = (
  sku: string,
  titleEn: string,
  titleAr: string,
  category: Category,
  vendor: string,
  popularity: number,
  variants: readonly CatalogVariant[],
): CatalogProduct => ({
  handle: titleEn.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
  sku,
  titleEn,
  titleAr,
  category,
  vendor,
  popularity,
  variants,
});

export const CATALOG: readonly CatalogProduct[] = [
  // Perfumes, oud and bakhoor
  p("PRF-OUDR", "Royal Oud Eau de Parfum", "عطر العود الملكي", "perfume", "Dar Al Oud", 8, ml(229, 349)),
  p("PRF-MSKT", "Musk Al Tahara", "مسك الطهارة", "perfume", "Dar Al Oud", 14, single(49)),
  p("PRF-AMBR", "Amber Night", "عنبر الليل", "perfume", "Dar Al Oud", 6, ml(149, 229)),
  p("PRF-TAIF", "Taifi Rose Oil", "دهن الورد الطائفي", "perfume", "Taif Roses", 5, single(189.5)),
  p("PRF-DOUD", "Cambodian Dehn Al Oud", "دهن العود الكمبودي", "perfume", "Dar Al Oud", 2, [
    v("3 ml", "٣ مل", "3", 890),
    v("6 ml", "٦ مل", "6", 1650),
  ]),
  p("PRF-MUAT", "Perfumed Oud Muattar", "عود معطر", "perfume", "Dar Al Oud", 7, single(129.5)),
  p("PRF-WMSK", "White Musk", "مسك أبيض", "perfume", "Dar Al Oud", 9, ml(79, 119)),
  p("PRF-SAFO", "Saffron Oud", "عود الزعفران", "perfume", "Dar Al Oud", 4, ml(189, 279)),
  p("PRF-MAMU", "Bakhoor Maamoul", "بخور معمول", "perfume", "Bakhoor House", 10, single(59)),
  p("PRF-OUDC", "Oud Incense Chips", "عود بخور", "perfume", "Bakhoor House", 4, grams("25 g", "٢٥ جم", 450, "50 g", "٥٠ جم", 850)),
  p("PRF-MIST", "Vanilla Body Mist", "معطر الجسم بالفانيلا", "perfume", "Taif Roses", 8, single(69)),
  p("PRF-GIFT", "Perfume Gift Set", "طقم هدايا عطور", "perfume", "Dar Al Oud", 3, single(499)),
  p("PRF-HAIR", "Oud Hair Mist", "عطر الشعر بالعود", "perfume", "Taif Roses", 6, single(89.5)),
  // Abayas and menswear
  p("ABY-CLSC", "Classic Black Abaya", "عباية سوداء كلاسيكية", "fashion", "Lulwa Abayas", 9, abayaSizes(299)),
  p("ABY-EMBR", "Embroidered Abaya", "عباية مطرزة", "fashion", "Lulwa Abayas", 5, abayaSizes(459)),
  p("ABY-KIMO", "Open Kimono Abaya", "عباية كيمونو مفتوحة", "fashion", "Lulwa Abayas", 4, abayaSizes(389)),
  p("ABY-LINN", "Linen Abaya", "عباية كتان", "fashion", "Lulwa Abayas", 4, abayaSizes(349.5)),
  p("ABY-CREP", "Crepe Abaya", "عباية كريب", "fashion", "Lulwa Abayas", 5, abayaSizes(279)),
  p("ABY-SHYL", "Chiffon Shayla", "شيلة شيفون", "fashion", "Lulwa Abayas", 10, colours(59)),
  p("ABY-NIQB", "Niqab", "نقاب", "fashion", "Lulwa Abayas", 6, single(35)),
  p("ABY-KIDS", "Girls' Abaya", "عباية بناتي", "fashion", "Lulwa Abayas", 3, [
    v("6-8 years", "٦-٨ سنوات", "6-8", 149),
    v("9-12 years", "٩-١٢ سنة", "9-12", 169),
  ]),
  p("MEN-BSHT", "Ceremonial Bisht", "بشت", "fashion", "Thobe Co.", 1, single(1250)),
  p("MEN-THOB", "Classic White Thobe", "ثوب رجالي أبيض", "fashion", "Thobe Co.", 7, [
    v("54", "54", "54", 219),
    v("56", "56", "56", 219),
    v("58", "58", "58", 219),
    v("60", "60", "60", 229),
  ]),
  p("MEN-SHMG", "Red Shemagh", "شماغ أحمر", "fashion", "Thobe Co.", 6, single(189)),
  p("MEN-GTRA", "White Ghutra", "غترة بيضاء", "fashion", "Thobe Co.", 5, single(99)),
  // Dates
  p("DAT-AJWA", "Ajwa Al Madinah Dates", "تمر عجوة المدينة", "dates", "Nakheel Farms", 9, grams("500 g", "٥٠٠ جم", 89, "1 kg", "١ كجم", 165)),
  p("DAT-SKRI", "Sukkari Dates", "تمر سكري", "dates", "Nakheel Farms", 14, grams("1 kg", "١ كجم", 45, "3 kg", "٣ كجم", 119)),
  p("DAT-KHLS", "Khalas Dates", "تمر خلاص", "dates", "Nakheel Farms", 8, single(39)),
  p("DAT-MJDL", "Medjool Dates", "تمر مجدول", "dates", "Nakheel Farms", 6, single(79)),
  p("DAT-SAFW", "Safawi Dates", "تمر صفاوي", "dates", "Nakheel Farms", 6, single(55)),
  p("DAT-SQAI", "Segai Dates", "تمر صقعي", "dates", "Nakheel Farms", 5, single(49.5)),
  p("DAT-STUF", "Stuffed Dates Tray", "صينية تمر محشي", "dates", "Nakheel Farms", 5, single(129)),
  p("DAT-CHOC", "Chocolate Covered Dates", "تمر بالشوكولاتة", "dates", "Nakheel Farms", 7, single(99)),
  p("DAT-RMDN", "Ramadan Dates Gift Box", "صندوق تمور رمضان", "dates", "Nakheel Farms", 3, single(249)),
  p("DAT-DIBS", "Date Syrup", "دبس التمر", "dates", "Nakheel Farms", 5, single(29.5)),
  // Coffee
  p("COF-KHWL", "Khawlani Saudi Coffee", "قهوة خولانية سعودية", "coffee", "Najd Roasters", 12, grams("250 g", "٢٥٠ جم", 65, "500 g", "٥٠٠ جم", 120)),
  p("COF-QSMI", "Qassimi Coffee Blend", "قهوة قصيمية", "coffee", "Najd Roasters", 9, single(49)),
  p("COF-CARD", "Arabic Coffee with Cardamom", "قهوة عربية بالهيل", "coffee", "Najd Roasters", 10, single(55)),
  p("COF-YIRG", "Ethiopian Yirgacheffe Beans", "بن إثيوبي يرغاتشيفي", "coffee", "Najd Roasters", 5, single(78)),
  p("COF-COLM", "Colombian Supremo Beans", "بن كولومبي سوبريمو", "coffee", "Najd Roasters", 4, single(72)),
  p("COF-DALH", "Brass Dallah", "دلة نحاسية", "coffee", "Najd Roasters", 2, single(189)),
  p("COF-FNJN", "Finjan Cup Set", "طقم فناجين", "coffee", "Najd Roasters", 3, single(79)),
  p("COF-HEEL", "Green Cardamom 100 g", "هيل أخضر ١٠٠ جم", "coffee", "Najd Roasters", 8, single(39.5)),
  p("COF-ZAFR", "Saffron 1 g", "زعفران ١ جم", "coffee", "Najd Roasters", 6, single(35)),
  p("COF-CAPS", "Coffee Capsules x10", "كبسولات قهوة ١٠ حبات", "coffee", "Najd Roasters", 7, single(42)),
  p("COF-TRMS", "Coffee Thermos 1 L", "ترمس قهوة ١ لتر", "coffee", "Najd Roasters", 4, colours(129)),
  p("COF-TEA", "Red Tea Leaves", "شاي أحمر", "coffee", "Najd Roasters", 6, single(25)),
  // Phone and electronics accessories
  p("ELC-CH20", "USB-C Charger 20W", "شاحن USB-C بقوة ٢٠ واط", "electronics", "Volt", 9, single(79)),
  p("ELC-PB10", "Power Bank 10000 mAh", "باور بانك ١٠٠٠٠ مللي أمبير", "electronics", "Volt", 8, colours(129)),
  p("ELC-EBUD", "Wireless Earbuds", "سماعات لاسلكية", "electronics", "Volt", 6, colours(249)),
  p("ELC-CASE", "Silicone Phone Case", "جراب جوال سيليكون", "electronics", "Volt", 10, phoneModels(59)),
  p("ELC-SCRN", "Tempered Glass Screen Protector", "واقي شاشة زجاجي", "electronics", "Volt", 9, phoneModels(39)),
  p("ELC-CARC", "Car Charger Dual USB", "شاحن سيارة مزدوج", "electronics", "Volt", 5, single(49)),
  p("ELC-CBLC", "USB-C Cable", "كيبل USB-C", "electronics", "Volt", 10, grams("1 m", "١ متر", 29, "2 m", "٢ متر", 39)),
  p("ELC-WBND", "Smart Watch Band", "سوار ساعة ذكية", "electronics", "Volt", 5, colours(69)),
  p("ELC-SPKR", "Bluetooth Speaker", "سماعة بلوتوث", "electronics", "Volt", 4, colours(199)),
  p("ELC-RING", "Ring Light 10 inch", "إضاءة دائرية ١٠ إنش", "electronics", "Volt", 3, single(89)),
  p("ELC-HOLD", "Car Phone Holder", "حامل جوال للسيارة", "electronics", "Volt", 5, single(45)),
  p("ELC-WCHG", "Wireless Charger 15W", "شاحن لاسلكي ١٥ واط", "electronics", "Volt", 5, single(99)),
  p("ELC-MBKH", "Electric Mabkhara", "مبخرة كهربائية", "electronics", "Bakhoor House", 4, single(149)),
];

export function variantSku(product: CatalogProduct, variant: CatalogVariant): string {
  return variant.skuSuffix ? `${product.sku}-${variant.skuSuffix}` : product.sku;
}
