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

  /**
   * `probe` runs before every read that reaches the database: Shopify's Prisma storage retries a
   * failed read for about ten seconds and then reports a missing table, so an unreachable database
   * is detected here first, fast and by its own error (the webhook routes answer 503 to it).
   */
  constructor(
    private readonly inner: SessionStorage,
    private readonly probe: () => Promise<unknown> = async () => {},
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    if (!id.startsWith("offline_")) {
      await this.probe();
      return this.inner.loadSession(id);
    }
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.session;
    await this.probe();
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
