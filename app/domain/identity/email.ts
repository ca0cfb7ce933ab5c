import { toAsciiDigits } from "./text";

export interface NormalizedEmail {
  /** Canonical address used for linking (gmail dots and +tags removed, ASCII domain). */
  value: string;
  /** False for placeholder addresses (test@test.com, none@...): kept, never used to link. */
  linkable: boolean;
}

const DOT_INSENSITIVE_DOMAINS = new Set(["gmail.com", "googlemail.com"]);
const PLACEHOLDER_LOCALS = new Set([
  "test", "testing", "tester", "none", "no", "noemail", "no-email", "nomail", "na", "n.a", "null",
  "nil", "customer", "customers", "walkin", "walk-in", "walk.in", "guest", "pos", "cashier",
  "store", "shop", "example", "email", "mail", "a", "x", "xx", "xxx", "asdf", "qwerty",
  "noreply", "no-reply", "donotreply", "dontreply", "unknown", "anonymous", "abc", "aaa",
]);
const PLACEHOLDER_DOMAINS = new Set([
  "test.com", "example.com", "example.org", "example.net", "noemail.com", "no-email.com",
  "nomail.com", "none.com", "email.com", "mail.com", "domain.com", "test.test", "invalid",
  "localhost", "abc.com", "x.com", "xx.com", "xxx.com", "a.com", "test.sa", "email.sa",
]);

/**
 * ASCII (punycode) form of a domain, via the WHATWG URL parser that every JS runtime ships.
 * Returns null for a domain that URL rejects.
 */
function toAsciiDomain(domain: string): string | null {
  if (/^[a-z0-9.-]+$/.test(domain)) return domain;
  try {
    return new URL(`http://${domain}/`).hostname || null;
  } catch {
    return null;
  }
}

/**
 * Parses an email for linking: trimmed, lowercased, IDNA domain, and for gmail.com /
 * googlemail.com (which ignore them) dots and +tags removed and the domain unified.
 * Returns null when the text is not an email at all.
 */
export function normalizeEmail(raw: string | null | undefined): NormalizedEmail | null {
  if (!raw) return null;
  // No accent stripping here: bücher.de and bucher.de are different domains (IDNA keeps the ü).
  // NFKC and digit folding change nothing in printable ASCII, the usual case: skip them.
  const folded = /^[\x20-\x7e]*$/.test(raw) ? raw : toAsciiDigits(raw.normalize("NFKC"));
  const text = folded.trim().toLowerCase().replace(/^mailto:/, "");
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1 || /\s/.test(text)) return null;
  let local = text.slice(0, at);
  let domain = toAsciiDomain(text.slice(at + 1).replace(/\.+$/, ""));
  if (!domain || !domain.includes(".")) {
    return domain ? { value: `${local}@${domain}`, linkable: false } : null;
  }
  if (DOT_INSENSITIVE_DOMAINS.has(domain)) {
    const plus = local.indexOf("+");
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, "");
    domain = "gmail.com";
  }
  const value = `${local}@${domain}`;
  return { value, linkable: isLinkableEmail(local, domain) };
}

function isLinkableEmail(local: string, domain: string): boolean {
  if (local.length === 0) return false;
  if (PLACEHOLDER_DOMAINS.has(domain)) return false;
  const bare = local.replace(/[0-9]+$/, "");
  if (PLACEHOLDER_LOCALS.has(local) || PLACEHOLDER_LOCALS.has(bare)) return false;
  if (/^(.)\1*$/.test(local)) return false; // aaaa@, 0000@
  return true;
}
