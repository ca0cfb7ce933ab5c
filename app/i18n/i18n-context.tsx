import { createContext, useContext, useMemo, type ReactNode } from "react";
import { formatDateTime, formatNumber, toDirection, translate } from "./locale";
import type { Locale, MessageKey } from "./messages";

interface I18n {
  locale: Locale;
  dir: "rtl" | "ltr";
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  number: (value: number) => string;
  dateTime: (value: Date | string, timeZone?: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo<I18n>(
    () => ({
      locale,
      dir: toDirection(locale),
      t: (key, params) => translate(locale, key, params),
      number: (v) => formatNumber(locale, v),
      dateTime: (v, tz) => formatDateTime(locale, v, tz),
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside <I18nProvider>");
  return value;
}
