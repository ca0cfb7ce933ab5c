-- A merchant's request to merge two Shopify customers of one profile (customerMerge), recorded
-- before Shopify is called so a retried form is the same request and the job is polled durably.
CREATE TYPE "CustomerMergeStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED');

CREATE TABLE "CustomerMergeRequest" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "customerOneGid" TEXT NOT NULL,
    "customerTwoGid" TEXT NOT NULL,
    "status" "CustomerMergeStatus" NOT NULL DEFAULT 'PENDING',
    "jobGid" TEXT,
    "resultingCustomerGid" TEXT,
    "mergedAwayGid" TEXT,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "polls" INTEGER NOT NULL DEFAULT 0,
    "requestedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "CustomerMergeRequest_pkey" PRIMARY KEY ("shop","id")
);

CREATE UNIQUE INDEX "CustomerMergeRequest_shop_requestId_key" ON "CustomerMergeRequest"("shop", "requestId");

CREATE INDEX "CustomerMergeRequest_shop_profileId_createdAt_idx" ON "CustomerMergeRequest"("shop", "profileId", "createdAt");
