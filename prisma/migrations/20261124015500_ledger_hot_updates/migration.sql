-- A redemption lowers one lot's remainingPoints. With remainingPoints in an index every such update
-- wrote a new entry into all four lot indexes, and lookups of that wallet's lots then walked the
-- dead versions until vacuum (a wallet's redemption got slower with each one). Indexing the wallet
-- without remainingPoints, and leaving room on each page, lets PostgreSQL update the lot in place
-- (HOT): the open-lot lookups filter remainingPoints > 0 over a wallet's few lots.
DROP INDEX "LoyaltyLot_shop_profileId_remainingPoints_idx";
CREATE INDEX "LoyaltyLot_shop_profileId_idx" ON "LoyaltyLot"("shop", "profileId");
ALTER TABLE "LoyaltyLot" SET (fillfactor = 80);
