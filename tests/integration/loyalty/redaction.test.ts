import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { redactShop } from "~/services/redact.server";
import { adjustPoints } from "~/services/adjust-points.server";
import { installTestShop } from "../../support/install";
import { createProfile, saveProgram } from "../../support/loyalty";

describe("loyalty data and compliance redaction", () => {
  it("erases the shop's program, wallets, entries and lots on shop/redact and leaves other shops alone", async () => {
    const gone = await installTestShop();
    const kept = await installTestShop();
    for (const { shop } of [gone, kept]) {
      await saveProgram(shop);
      const profileId = await createProfile(shop);
      await prisma.loyaltyWallet.create({ data: { shop, profileId, birthdayMonth: 3, birthdayDay: 1 } });
      await adjustPoints({ shop, profileId, points: 10, reason: "welcome", staffId: "s", staffName: "Staff", requestId: "r1" });
    }
    const receipt = await prisma.webhookReceipt.create({
      data: { shop: gone.shop, topic: "shop/redact", webhookId: crypto.randomUUID(), payloadDigest: "x", payloadBytes: 2, status: "ACCEPTED" },
    });
    await prisma.$transaction((tx) => redactShop(tx, { shop: gone.shop, keepReceiptId: receipt.id }));
    const count = async (shop: string) =>
      Promise.all([
        prisma.loyaltyEntry.count({ where: { shop } }),
        prisma.loyaltyLot.count({ where: { shop } }),
        prisma.loyaltyWallet.count({ where: { shop } }),
        prisma.loyaltySettingsVersion.count({ where: { shop } }),
      ]);
    expect(await count(gone.shop)).toEqual([0, 0, 0, 0]);
    expect(await count(kept.shop)).toEqual([1, 1, 1, 1]);
  });
});
