import { createHmac, randomBytes, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { installSynchronousHmac } from "~/shopify/synchronous-hmac.server";

const enc = new TextEncoder();
const HMAC = { name: "HMAC", hash: { name: "SHA-256" } };

/** WebCrypto's answer, computed on a SubtleCrypto the fast path is not installed on. */
async function referenceHmac(secret: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Buffer> {
  const reference = Object.getPrototypeOf(globalThis.crypto.subtle) as SubtleCrypto;
  const key = await reference.importKey.call(globalThis.crypto.subtle, "raw", secret, HMAC, false, ["sign"]);
  return Buffer.from(await reference.sign.call(globalThis.crypto.subtle, "HMAC", key, data));
}

describe("synchronous HMAC for shopify-api", () => {
  it("is installed once and signs exactly as WebCrypto does", async () => {
    expect(installSynchronousHmac()).toBe(true);
    expect(installSynchronousHmac()).toBe(true);
    const subtle = globalThis.crypto.subtle;
    for (let i = 0; i < 50; i++) {
      const secret = randomBytes(1 + (i % 70));
      const data = new Uint8Array(randomBytes(i * 37));
      const key = await subtle.importKey("raw", enc.encode(secret.toString("hex")), HMAC, false, ["sign"]);
      const fast = Buffer.from(await subtle.sign("HMAC", key, data));
      expect(fast).toEqual(await referenceHmac(enc.encode(secret.toString("hex")), data));
      expect(fast).toEqual(createHmac("sha256", secret.toString("hex")).update(data).digest());
    }
  });

  it("reuses the imported key of a secret, and keys of different secrets sign differently", async () => {
    installSynchronousHmac();
    const subtle = globalThis.crypto.subtle;
    const a1 = await subtle.importKey("raw", enc.encode("secret-a"), HMAC, false, ["sign"]);
    const a2 = await subtle.importKey("raw", enc.encode("secret-a"), HMAC, false, ["sign"]);
    const b = await subtle.importKey("raw", enc.encode("secret-b"), HMAC, false, ["sign"]);
    expect(a2).toBe(a1);
    expect(b).not.toBe(a1);
    const body = enc.encode('{"id":1}');
    expect(Buffer.from(await subtle.sign("HMAC", a1, body))).not.toEqual(Buffer.from(await subtle.sign("HMAC", b, body)));
  });

  it("leaves every other WebCrypto use as it was", async () => {
    installSynchronousHmac();
    const subtle = globalThis.crypto.subtle;
    // An extractable or verifying HMAC key is WebCrypto's own, and verify still works with it.
    const key = await subtle.importKey("raw", enc.encode("k"), HMAC, true, ["sign", "verify"]);
    const signature = await subtle.sign("HMAC", key, enc.encode("x"));
    expect(await subtle.verify("HMAC", key, signature, enc.encode("x"))).toBe(true);
    expect(Buffer.from(await subtle.exportKey("raw", key)).toString()).toBe("k");
    // HKDF (shopify-api derives keys with it) and digests are untouched.
    const material = await subtle.importKey("raw", enc.encode("secret"), "HKDF", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode("i") }, material, 256);
    expect(bits.byteLength).toBe(32);
    expect(Buffer.from(await subtle.digest("SHA-256", enc.encode("abc"))).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    // A bad import still fails, and is not cached as a success.
    await expect(subtle.importKey("raw", enc.encode(""), HMAC, false, ["sign"])).rejects.toThrow();
    expect(webcrypto.subtle).toBe(subtle);
  });
});
