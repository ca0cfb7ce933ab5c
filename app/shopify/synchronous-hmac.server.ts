/**
 * Faster HMAC-SHA256 for shopify-api's signature checks. The library verifies every webhook (and
 * OAuth callback) through WebCrypto: `subtle.importKey` of the app secret, then `subtle.sign`, on
 * every call. In Node both are dispatched to the thread pool and the key is imported anew each
 * time; at a thousand webhooks a second that was the largest cost of the acknowledgement path.
 *
 * Installed on the process's own SubtleCrypto object (own properties shadowing its methods, the
 * real ones still called with their real receiver):
 * - importKey of a raw, non-extractable HMAC-SHA256 signing key returns the key already imported
 *   for the same secret (a handful of secrets per process at most; the cache is capped);
 * - sign with such a key computes the same HMAC with node:crypto synchronously.
 * Every other call goes to WebCrypto unchanged. The check itself is unchanged: shopify-api still
 * computes the signature of the raw body with the app secret and compares it with the header's
 * (tests/unit/shopify/synchronous-hmac.test.ts: same bytes as WebCrypto; webhook tests: a wrong
 * signature is still rejected).
 */
import { createHmac, type BinaryLike } from "node:crypto";

const INSTALLED = Symbol.for("wafa.synchronousHmac");
const MAX_CACHED_KEYS = 16;

type Algorithm = string | { name?: string; hash?: string | { name?: string } };

function isHmacSha256(algorithm: Algorithm): boolean {
  if (typeof algorithm !== "object" || algorithm === null) return false;
  const hash = typeof algorithm.hash === "string" ? algorithm.hash : algorithm.hash?.name;
  return algorithm.name?.toUpperCase() === "HMAC" && hash?.toUpperCase() === "SHA-256";
}

function isHmacName(algorithm: Algorithm): boolean {
  const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
  return name?.toUpperCase() === "HMAC";
}

function toBytes(data: BufferSource): Uint8Array {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Installs the fast path on globalThis.crypto.subtle (once per process). Returns whether it is on. */
export function installSynchronousHmac(): boolean {
  const subtle = globalThis.crypto?.subtle as (SubtleCrypto & { [INSTALLED]?: true }) | undefined;
  if (!subtle) return false;
  if (subtle[INSTALLED]) return true;
  const importKey = subtle.importKey.bind(subtle) as (...args: unknown[]) => Promise<CryptoKey>;
  const sign = subtle.sign.bind(subtle) as (...args: unknown[]) => Promise<ArrayBuffer>;
  const keys = new Map<string, Promise<CryptoKey>>();
  const secrets = new WeakMap<CryptoKey, Uint8Array>();

  function fastImportKey(format: string, keyData: unknown, algorithm: Algorithm, extractable: boolean, usages: string[], ...rest: unknown[]) {
    const cacheable = format === "raw" && !extractable && usages.length === 1 && usages[0] === "sign" && isHmacSha256(algorithm)
      && (ArrayBuffer.isView(keyData) || keyData instanceof ArrayBuffer);
    if (!cacheable) return importKey(format, keyData, algorithm, extractable, usages, ...rest);
    const secret = Uint8Array.from(toBytes(keyData as BufferSource));
    const id = Buffer.from(secret).toString("base64");
    let key = keys.get(id);
    if (!key) {
      if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
      key = importKey(format, secret, algorithm, extractable, usages).then((imported) => {
        secrets.set(imported, secret);
        return imported;
      });
      // A failed import is not remembered.
      key.catch(() => keys.delete(id));
      keys.set(id, key);
    }
    return key;
  }

  function fastSign(algorithm: Algorithm, key: CryptoKey, data: BufferSource, ...rest: unknown[]) {
    const secret = isHmacName(algorithm) ? secrets.get(key) : undefined;
    if (!secret) return sign(algorithm, key, data, ...rest);
    try {
      const digest = createHmac("sha256", secret).update(toBytes(data) as BinaryLike).digest();
      return Promise.resolve(digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  Object.defineProperty(subtle, "importKey", { value: fastImportKey, configurable: true, writable: true });
  Object.defineProperty(subtle, "sign", { value: fastSign, configurable: true, writable: true });
  Object.defineProperty(subtle, INSTALLED, { value: true });
  return true;
}
