import { NotFoundError } from "../domain/errors";
import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import type { ShopInfo } from "../shopify/shop-info";

export function getShop({ shop }: { shop: string }) {
  return prisma.shop.findUnique({ where: { shop } });
}

/** Records an install (or re-install) with the shop's details; returns the previous install state. */
export async function markShopInstalled({ shop, scopes, info }: { shop: string; scopes: string; info: ShopInfo }) {
  const previous = await prisma.shop.findUnique({ where: { shop }, select: { installState: true } });
  const data = {
    installState: "INSTALLED" as const,
    name: info.name,
    currency: info.currencyCode,
    countryCode: info.countryCode,
    timezone: info.ianaTimezone,
    primaryLocale: info.primaryLocale,
    scopes,
    uninstalledAt: null,
  };
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, ...data, installedAt: new Date() },
    update: previous?.installState === "INSTALLED" ? data : { ...data, installedAt: new Date() },
  });
  return previous?.installState ?? null;
}

export async function markShopUninstalled({ shop }: { shop: string }) {
  await prisma.shop.updateMany({ where: { shop, installState: "INSTALLED" }, data: { installState: "UNINSTALLED", uninstalledAt: new Date() } });
}

export async function updateShopScopes({ shop, scopes }: { shop: string; scopes: string }) {
  await prisma.shop.updateMany({ where: { shop }, data: { scopes } });
}

export async function updateShopSettings({ shop, settings }: { shop: string; settings: Prisma.InputJsonValue }) {
  await prisma.shop.update({ where: { shop }, data: { settings } });
}

export async function requireShop({ shop }: { shop: string }) {
  const record = await prisma.shop.findUnique({ where: { shop } });
  if (!record) throw new NotFoundError("Shop", shop);
  return record;
}
