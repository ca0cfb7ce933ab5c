import { markShopInstalled } from "../models/shop.server";
import { getShopInfo } from "../shopify/shop-info";
import type { AdminGraphql } from "../shopify/graphql-client";
import { startBackfill } from "./backfill.server";

/**
 * Runs after every successful authentication (idempotent): records the shop as installed with
 * its currency, country, timezone and locale. Returns whether this was a new install.
 */
export async function installShop({ shop, scopes, graphql }: { shop: string; scopes: string; graphql: AdminGraphql }) {
  const info = await getShopInfo(graphql);
  const previous = await markShopInstalled({ shop, scopes, info });
  const newInstall = previous !== "INSTALLED";
  // A new install (or a re-install after a gap) brings the shop's history in: customers and orders.
  if (newInstall) await startBackfill({ shop });
  return { newInstall };
}
