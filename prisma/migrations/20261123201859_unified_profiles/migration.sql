-- CreateEnum
CREATE TYPE "MemberKind" AS ENUM ('CUSTOMER', 'ORDER');

-- CreateEnum
CREATE TYPE "IdentityKeyKind" AS ENUM ('EMAIL', 'PHONE', 'EXTERNAL', 'BLOCK');

-- CreateEnum
CREATE TYPE "MatchStatus" AS ENUM ('AUTO_LINKED', 'CANNOT_LINK', 'REVIEW', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "JunkSource" AS ENUM ('DETECTED', 'MERCHANT');

-- CreateEnum
CREATE TYPE "ProfileEventKind" AS ENUM ('CREATED', 'MERGED', 'SPLIT');

-- CreateTable
CREATE TABLE "Profile" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "displayName" TEXT,
    "searchName" TEXT,
    "primaryEmail" TEXT,
    "primaryPhone" TEXT,
    "firstSeenAt" TIMESTAMP(3),
    "lastOrderAt" TIMESTAMP(3),
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "totalSpentMinor" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT,
    "mergedIntoId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Profile_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "ProfileMember" (
    "shop" TEXT NOT NULL,
    "memberKey" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "memberKind" "MemberKind" NOT NULL,
    "profileId" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "searchText" TEXT NOT NULL DEFAULT '',
    "linkedBy" TEXT[],
    "linkScore" DOUBLE PRECISION,
    "linkReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProfileMember_pkey" PRIMARY KEY ("shop","memberKey")
);

-- CreateTable
CREATE TABLE "IdentityKey" (
    "shop" TEXT NOT NULL,
    "kind" "IdentityKeyKind" NOT NULL,
    "value" TEXT NOT NULL,
    "memberKey" TEXT NOT NULL,

    CONSTRAINT "IdentityKey_pkey" PRIMARY KEY ("shop","kind","value","memberKey")
);

-- CreateTable
CREATE TABLE "MatchPair" (
    "shop" TEXT NOT NULL,
    "memberA" TEXT NOT NULL,
    "memberB" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "reasons" JSONB NOT NULL,
    "status" "MatchStatus" NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MatchPair_pkey" PRIMARY KEY ("shop","memberA","memberB")
);

-- CreateTable
CREATE TABLE "JunkIdentifier" (
    "shop" TEXT NOT NULL,
    "kind" "IdentityKeyKind" NOT NULL,
    "value" TEXT NOT NULL,
    "source" "JunkSource" NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JunkIdentifier_pkey" PRIMARY KEY ("shop","kind","value")
);

-- CreateTable
CREATE TABLE "ProfileEvent" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" "ProfileEventKind" NOT NULL,
    "fromProfileId" TEXT,
    "toProfileId" TEXT NOT NULL,
    "memberKeys" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProfileEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Profile_shop_mergedIntoId_lastOrderAt_idx" ON "Profile"("shop", "mergedIntoId", "lastOrderAt");

-- CreateIndex
CREATE INDEX "Profile_shop_primaryPhone_idx" ON "Profile"("shop", "primaryPhone");

-- CreateIndex
CREATE INDEX "Profile_shop_primaryEmail_idx" ON "Profile"("shop", "primaryEmail");

-- CreateIndex
CREATE INDEX "ProfileMember_shop_profileId_idx" ON "ProfileMember"("shop", "profileId");

-- CreateIndex
CREATE UNIQUE INDEX "ProfileMember_seq_key" ON "ProfileMember"("seq");

-- CreateIndex
CREATE INDEX "IdentityKey_shop_memberKey_idx" ON "IdentityKey"("shop", "memberKey");

-- CreateIndex
CREATE INDEX "MatchPair_shop_memberB_idx" ON "MatchPair"("shop", "memberB");

-- CreateIndex
CREATE INDEX "MatchPair_shop_status_idx" ON "MatchPair"("shop", "status");

-- CreateIndex
CREATE INDEX "ProfileEvent_shop_id_idx" ON "ProfileEvent"("shop", "id");
