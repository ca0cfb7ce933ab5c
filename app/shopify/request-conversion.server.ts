/**
 * shopify-api's conversion of a Request into its own request shape, without its quadratic cost.
 * Every check the library makes (webhook HMAC and headers, session tokens, OAuth) starts with
 * `abstractConvertRequest`, which the web-api adapter implements with `addHeader` per header, and
 * `addHeader` canonicalizes every header gathered so far (a regular-expression replace per name) on
 * each call: a webhook's headers, converted twice per delivery, cost about 40 canonicalizations.
 *
 * Installed through the library's own runtime hook (`setAbstractConvertRequestFunc`, as its
 * adapters do), the same conversion: each header name canonicalized once by the library's
 * `canonicalizeHeaderName` (remembered for the few names a process sees; the memory is capped),
 * values in arrival order under it, same method and URL. Equal to the adapter's result
 * (tests/unit/shopify/request-conversion.test.ts).
 */
import { canonicalizeHeaderName, setAbstractConvertRequestFunc } from "@shopify/shopify-api/runtime";

const MAX_REMEMBERED_NAMES = 512;
const canonicalNames = new Map<string, string>();

function canonicalName(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    canonical = canonicalizeHeaderName(name);
    // Header names come from clients: beyond the cap, new ones are canonicalized each time.
    if (canonicalNames.size < MAX_REMEMBERED_NAMES) canonicalNames.set(name, canonical);
  }
  return canonical;
}

interface ConvertArgs {
  rawRequest: Request;
}

/** The library's request shape for a Request: canonical header names, each with its values. */
export async function convertRequest({ rawRequest }: ConvertArgs) {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of rawRequest.headers.entries()) {
    const canonical = canonicalName(name);
    const values = headers[canonical];
    if (values) values.push(value);
    else headers[canonical] = [value];
  }
  return { headers, method: rawRequest.method ?? "GET", url: new URL(rawRequest.url).toString() };
}

/** Makes `convertRequest` the library's request conversion (after its adapter is imported). */
export function installRequestConversion(): void {
  setAbstractConvertRequestFunc(convertRequest as Parameters<typeof setAbstractConvertRequestFunc>[0]);
}
