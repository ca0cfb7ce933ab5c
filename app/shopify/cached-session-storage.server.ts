/**
 * Shopify's Prisma session storage with a short in-process cache of offline sessions. Every
 * webhook loads the shop's offline session; at a thousand deliveries a second that read is most
 * of the work. Writes and deletes go through and clear the entry; other processes see a change
 * within TTL_MS (an uninstall is also recorded by its own webhook, so nothing depends on it sooner).
 */
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

const TTL_MS = 30_000;

export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session | undefined; until: number }>();

  constructor(private readonly inner: SessionStorage) {}

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    if (!id.startsWith("offline_")) return this.inner.loadSession(id);
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.session;
    const session = await this.inner.loadSession(id);
    this.cache.set(id, { session, until: Date.now() + TTL_MS });
    return session;
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }

}
