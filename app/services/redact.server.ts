import type { Prisma } from "@prisma/client";
import { deleteShopIdentity, redactMembers } from "../models/profile.server";

type Tx = Prisma.TransactionClient;

/**
 * customers/redact: erase the customer's personal data from Wafa for that shop — the customer
 * record and the contact fields written on their orders — keeping amounts, which hold no
 * personal data and which the loyalty ledger's history needs.
 */
export async function redactCustomer(tx: Tx, { shop, customerGid, orderGids }: { shop: string; customerGid: string; orderGids: string[] }) {
  await tx.customer.updateMany({
    where: { shop, customerGid },
    data: { email: null, phone: null, firstName: null, lastName: null, address1: null, address2: null, city: null, province: null, zip: null, note: null, tags: [], deletedAt: new Date() },
  });
  await tx.order.updateMany({
    where: { shop, OR: [{ customerGid }, { orderGid: { in: orderGids } }] },
    data: { email: null, phone: null, firstName: null, lastName: null, address1: null, address2: null, city: null, province: null, zip: null },
  });
  // The wallet's points and history stay (no personal data; finance needs them); its birthday goes.
  await tx.$executeRaw`update "LoyaltyWallet" w set "birthdayMonth" = null, "birthdayDay" = null
    where w.shop = ${shop} and w."profileId" in (select m."profileId" from "ProfileMember" m where m.shop = ${shop} and m."memberKey" = ${customerGid})`;
  await redactMembers(tx, { shop, memberKeys: [customerGid, ...orderGids] });
}

/** shop/redact (48 h after uninstall): erase everything Wafa holds for the shop. */
export async function redactShop(tx: Tx, { shop, keepReceiptId }: { shop: string; keepReceiptId: bigint }) {
  await deleteShopIdentity(tx, { shop });
  await tx.loyaltyEntry.deleteMany({ where: { shop } });
  await tx.loyaltyLot.deleteMany({ where: { shop } });
  await tx.loyaltyOrderEarn.deleteMany({ where: { shop } });
  await tx.loyaltyReservation.deleteMany({ where: { shop } });
  await tx.loyaltyWallet.deleteMany({ where: { shop } });
  await tx.loyaltySettingsVersion.deleteMany({ where: { shop } });
  await tx.loyaltyShopState.deleteMany({ where: { shop } });
  await tx.customerMergeRequest.deleteMany({ where: { shop } });
  await tx.refundLine.deleteMany({ where: { shop } });
  await tx.refund.deleteMany({ where: { shop } });
  await tx.orderLine.deleteMany({ where: { shop } });
  await tx.order.deleteMany({ where: { shop } });
  await tx.customer.deleteMany({ where: { shop } });
  await tx.importRun.deleteMany({ where: { shop } });
  await tx.backfillRun.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.webhookReceipt.deleteMany({ where: { shop, id: { not: keepReceiptId } } });
  await tx.webhookReceipt.update({ where: { id: keepReceiptId }, data: { payload: undefined } });
  await tx.shop.updateMany({ where: { shop }, data: { installState: "REDACTED", name: null, settings: {} } });
}
