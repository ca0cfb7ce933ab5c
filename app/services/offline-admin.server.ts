import { getShop } from "../models/shop.server";
import type { AdminGraphql } from "../shopify/graphql-client";

/** The shop's offline Admin API client for background work; null when the shop is not installed. */
export async function offlineGraphql(shop: string): Promise<AdminGraphql | null> {
  if ((await getShop({ shop }))?.installState !== "INSTALLED") return null;
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql as unknown as AdminGraphql;
}
