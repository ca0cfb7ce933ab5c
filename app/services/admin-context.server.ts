/**
 * Every admin route starts here: the library's authenticate.admin (session token, token
 * exchange), then the shop's record. afterAuth records installs, but parallel loaders of the
 * first page can run before it finishes, so a missing record is created here the same way.
 */
import { authenticate } from "../shopify.server";
import { getShop } from "../models/shop.server";
import { installShop } from "./install-shop.server";

export async function authenticateAdmin(request: Request) {
  const context = await authenticate.admin(request);
  let shop = await getShop({ shop: context.session.shop });
  if (!shop || shop.installState !== "INSTALLED") {
    await installShop({ shop: context.session.shop, scopes: context.session.scope ?? "", graphql: context.admin.graphql });
    shop = await getShop({ shop: context.session.shop });
  }
  return { ...context, shop: shop! };
}
