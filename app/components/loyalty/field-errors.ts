/**
 * Field errors from the server are English sentences from the domain's schema; the admin shows
 * them in the staff member's language by matching each known sentence to a message key. An
 * unknown sentence is shown as it came (English) rather than hidden.
 */
import { useI18n } from "../../i18n/i18n-context";
import type { MessageKey } from "../../i18n/messages";

type Rule = [RegExp, MessageKey, ...string[]];

// Each capture group fills the named parameter at the same position.
const RULES: Rule[] = [
  [/^Required$/, "fieldError.required"],
  [/^Must be a number$/, "fieldError.number"],
  [/^Must be a whole number$/, "fieldError.wholeNumber"],
  [/^Must be a non-negative decimal number such as 1\.5$/, "fieldError.decimal"],
  [/^At most (\d+) decimal places for this currency$/, "fieldError.moneyDecimals", "n"],
  [/^At most (\d+) decimal places$/, "fieldError.decimalPlaces", "n"],
  [/^Must be an amount such as 10\.50$/, "fieldError.amount"],
  [/^Must be greater than (-?[\d.]+)$/, "fieldError.greaterThan", "n"],
  [/^Must be at least (-?[\d.]+)$/, "fieldError.atLeast", "n"],
  [/^Must be at most (-?[\d.]+)$/, "fieldError.atMost", "n"],
  [/^At most (\d+) characters$/, "fieldError.maxChars", "n"],
  [/^At most (\d+) tiers$/, "fieldError.maxTiers", "n"],
  [/^At most (\d+) rewards$/, "fieldError.maxRewards", "n"],
  [/^Two tiers cannot have the same threshold$/, "fieldError.tierSameThreshold"],
  [/^Tiers must be listed by increasing threshold$/, "fieldError.tierOrder"],
  [/^Duplicate (tier|reward) id$/, "fieldError.duplicateId"],
  [/^Cannot exceed the maximum share of an order payable with points \((\d+)%\)$/, "fieldError.rewardShare", "n"],
  [/^Must be a Location GID/, "fieldError.locationGid"],
  [/^Lower-case letters, digits/, "fieldError.slug"],
  [/^Invalid option/, "fieldError.choice"],
  [/^Invalid input/, "fieldError.choice"],
  [/^The form could not be read/, "fieldError.unreadable"],
  [/^Say why the points are adjusted$/, "wallet.adjust.error.reason"],
  [/^A whole number of points other than 0/, "wallet.adjust.error.points"],
  [/^At most 500 characters$/, "fieldError.maxChars"],
];

/** Translates one server field error message. */
export function useFieldErrorText() {
  const { t, number } = useI18n();
  return (message: string): string => {
    for (const [pattern, key, ...names] of RULES) {
      const match = pattern.exec(message);
      if (!match) continue;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        const value = match[index + 1];
        params[name] = /^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? number(Number(value)) : value;
      });
      if (key === "fieldError.maxChars" && !params.n) params.n = number(500);
      return t(key, params);
    }
    return message;
  };
}

/** A lookup `(path) => translated message or undefined` over a server's field errors. */
export function useFieldErrors(fieldErrors: Record<string, string[]> | undefined) {
  const translate = useFieldErrorText();
  return (path: string): string | undefined => {
    const messages = fieldErrors?.[path];
    return messages && messages.length ? messages.map(translate).join(" ") : undefined;
  };
}
