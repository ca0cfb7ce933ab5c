-- CreateEnum
CREATE TYPE "LoyaltyEntryKind" AS ENUM ('EARN', 'BONUS', 'REDEEM', 'REVERSAL', 'ADJUSTMENT', 'EXPIRY', 'RESERVE', 'RELEASE', 'SETTLE', 'TRANSFER_OUT', 'TRANSFER_IN');

-- CreateEnum
CREATE TYPE "ReservationStatus" AS ENUM ('OPEN', 'SETTLED', 'RELEASED');

-- CreateTable
CREATE TABLE "LoyaltySettingsVersion" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL,
    "settings" JSONB NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltySettingsVersion_pkey" PRIMARY KEY ("shop","version")
);

-- CreateTable
CREATE TABLE "LoyaltyWallet" (
    "shop" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "balancePoints" INTEGER NOT NULL DEFAULT 0,
    "debtPoints" INTEGER NOT NULL DEFAULT 0,
    "heldPoints" INTEGER NOT NULL DEFAULT 0,
    "lastActivityAt" TIMESTAMP(3),
    "tierId" TEXT,
    "tierSpendMinor" BIGINT NOT NULL DEFAULT 0,
    "tierComputedAt" TIMESTAMP(3),
    "birthdayMonth" INTEGER,
    "birthdayDay" INTEGER,
    "syncedBalance" INTEGER,
    "syncedTierId" TEXT,
    "syncRequestedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltyWallet_pkey" PRIMARY KEY ("shop","profileId")
);

-- CreateTable
CREATE TABLE "LoyaltyEntry" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "kind" "LoyaltyEntryKind" NOT NULL,
    "points" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL,
    "channel" "Channel",
    "locationGid" TEXT,
    "orderGid" TEXT,
    "refundGid" TEXT,
    "reservationId" TEXT,
    "transferId" TEXT,
    "lotAllocations" JSONB NOT NULL DEFAULT '[]',
    "shortfallPoints" INTEGER NOT NULL DEFAULT 0,
    "debtRepaidPoints" INTEGER NOT NULL DEFAULT 0,
    "expiredPoints" INTEGER NOT NULL DEFAULT 0,
    "movedOrderGids" TEXT[],
    "reason" TEXT,
    "staffId" TEXT,
    "staffName" TEXT,
    "settingsVersion" INTEGER,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltyEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoyaltyLot" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "remainingPoints" INTEGER NOT NULL,
    "earnedAt" TIMESTAMP(3) NOT NULL,
    "availableAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "orderGid" TEXT,

    CONSTRAINT "LoyaltyLot_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "LoyaltyOrderEarn" (
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "earnedPoints" INTEGER NOT NULL,
    "eligibleAmountMinor" BIGINT NOT NULL,
    "refundedEligibleMinor" BIGINT NOT NULL DEFAULT 0,
    "reversedPoints" INTEGER NOT NULL DEFAULT 0,
    "settingsVersion" INTEGER NOT NULL,
    "lotId" TEXT,
    "channel" "Channel" NOT NULL,
    "locationGid" TEXT,
    "placedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltyOrderEarn_pkey" PRIMARY KEY ("shop","orderGid")
);

-- CreateTable
CREATE TABLE "LoyaltyReservation" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "clientRequestId" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "allocations" JSONB NOT NULL DEFAULT '[]',
    "status" "ReservationStatus" NOT NULL DEFAULT 'OPEN',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "channel" "Channel" NOT NULL,
    "locationGid" TEXT,
    "rewardId" TEXT,
    "discountKind" TEXT NOT NULL,
    "discountValue" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "minOrderMinor" BIGINT NOT NULL DEFAULT 0,
    "customerGid" TEXT,
    "discountCode" TEXT,
    "discountNodeGid" TEXT,
    "codeStatus" TEXT NOT NULL DEFAULT 'PENDING',
    "codeError" TEXT,
    "settledOrderGid" TEXT,
    "staffId" TEXT,
    "closedAt" TIMESTAMP(3),
    "closeReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltyReservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoyaltyShopState" (
    "shop" TEXT NOT NULL,
    "profileEventCursor" BIGINT NOT NULL DEFAULT 0,
    "lastExpiryRunAt" TIMESTAMP(3),
    "lastBirthdayRunOn" TEXT,
    "lastTierRunAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoyaltyShopState_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "LoyaltyWallet_shop_syncRequestedAt_idx" ON "LoyaltyWallet"("shop", "syncRequestedAt");

-- CreateIndex
CREATE INDEX "LoyaltyWallet_shop_tierId_idx" ON "LoyaltyWallet"("shop", "tierId");

-- CreateIndex
CREATE INDEX "LoyaltyEntry_shop_profileId_id_idx" ON "LoyaltyEntry"("shop", "profileId", "id");

-- CreateIndex
CREATE INDEX "LoyaltyEntry_shop_occurredAt_idx" ON "LoyaltyEntry"("shop", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyEntry_shop_idempotencyKey_key" ON "LoyaltyEntry"("shop", "idempotencyKey");

-- CreateIndex
CREATE INDEX "LoyaltyLot_shop_profileId_remainingPoints_idx" ON "LoyaltyLot"("shop", "profileId", "remainingPoints");

-- CreateIndex
CREATE INDEX "LoyaltyLot_shop_expiresAt_idx" ON "LoyaltyLot"("shop", "expiresAt");

-- CreateIndex
CREATE INDEX "LoyaltyLot_shop_availableAt_idx" ON "LoyaltyLot"("shop", "availableAt");

-- CreateIndex
CREATE INDEX "LoyaltyOrderEarn_shop_profileId_placedAt_idx" ON "LoyaltyOrderEarn"("shop", "profileId", "placedAt");

-- CreateIndex
CREATE INDEX "LoyaltyReservation_shop_status_expiresAt_idx" ON "LoyaltyReservation"("shop", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "LoyaltyReservation_shop_profileId_idx" ON "LoyaltyReservation"("shop", "profileId");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyReservation_shop_clientRequestId_key" ON "LoyaltyReservation"("shop", "clientRequestId");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyReservation_shop_discountCode_key" ON "LoyaltyReservation"("shop", "discountCode");

