/**
 * A webhook delivery as the app's webhook code and shopify-api read it: method, URL, headers by
 * name, body text. Built from what was received instead of undici Request objects around a body
 * that is only read back (their construction and body streams were 15-20% of a delivery's CPU,
 * bench:ingest). Who reads what: receiveWebhook (`method`, `url`, `headers.get`, `text()`);
 * authenticate.webhook (`method`, `text()`) and the installed request conversion (`method`, `url`,
 * `headers.entries()`, app/shopify/request-conversion.server.ts). The webhook tests run every
 * verdict through it, over HTTP and directly.
 */

/** Header values by name, matched as HTTP does (case-insensitively); repeated names joined by ", ". */
export class DeliveryHeaders {
  private readonly values = new Map<string, string>();

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const previous = this.values.get(key);
    this.values.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

export class WebhookDelivery {
  constructor(readonly method: string, readonly url: string, readonly headers: DeliveryHeaders, private readonly body: string) {}

  text(): Promise<string> {
    return Promise.resolve(this.body);
  }

  /** Typed as the Request the route actions and the library declare; they read only the above. */
  asRequest(): Request {
    return this as unknown as Request;
  }
}
