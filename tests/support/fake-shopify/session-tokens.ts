/**
 * Session tokens exactly as Shopify mints them: a JWT signed HS256 with the app's secret.
 * Admin (App Bridge) tokens: iss https://<shop>/admin, dest https://<shop>, aud = API key,
 * sub = staff user id. POS, checkout and customer-account tokens use the same claims; their `sub`
 * is the POS user or the customer GID (absent for a guest).
 */
import crypto from "node:crypto";

export type TokenSurface = "admin" | "pos" | "checkout" | "customer-account";

export interface MintOptions {
  apiKey: string;
  apiSecret: string;
  shop: string;
  surface?: TokenSurface;
  sub?: string;
  /** seconds from now; Shopify's tokens live one minute */
  expiresIn?: number;
  /** seconds from now the token becomes valid (negative = already) */
  notBefore?: number;
  now?: number;
  /** raw claim overrides, for forging bad tokens in tests */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** sign with another algorithm/secret, or not at all ("none"), to prove rejection */
  algorithm?: "HS256" | "HS512" | "none";
  secret?: string;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export function mintSessionToken(options: MintOptions): string {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const surface = options.surface ?? "admin";
  const algorithm = options.algorithm ?? "HS256";
  const payload = {
    iss: surface === "admin" ? `https://${options.shop}/admin` : `https://${options.shop}`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: options.sub ?? (surface === "admin" || surface === "pos" ? "1" : undefined),
    exp: now + (options.expiresIn ?? 60),
    nbf: now + (options.notBefore ?? -5),
    iat: now,
    jti: crypto.randomUUID(),
    sid: crypto.randomBytes(16).toString("hex"),
    ...options.claims,
  };
  const header = { alg: algorithm, typ: "JWT", ...options.header };
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (algorithm === "none") return `${unsigned}.`;
  const hash = algorithm === "HS512" ? "sha512" : "sha256";
  const signature = crypto.createHmac(hash, options.secret ?? options.apiSecret).update(unsigned).digest();
  return `${unsigned}.${b64url(signature)}`;
}

/** Verifies a token the way Shopify's token-exchange endpoint does (HS256, secret, audience, time). */
export function verifySessionToken(token: string, apiKey: string, apiSecret: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as { alg?: string };
  if (header.alg !== "HS256") return null;
  const expected = crypto.createHmac("sha256", apiSecret).update(`${headerPart}.${payloadPart}`).digest();
  const actual = Buffer.from(signaturePart, "base64url");
  if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) return null;
  const payload = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  if (payload.aud !== apiKey) return null;
  if (typeof payload.exp !== "number" || payload.exp < now - 10) return null;
  if (typeof payload.nbf !== "number" || payload.nbf > now + 10) return null;
  return payload;
}
