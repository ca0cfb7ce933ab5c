-- DropIndex
DROP INDEX "LoyaltyEntry_shop_occurredAt_idx";
