-- CreateEnum
CREATE TYPE "ReceiptStatus" AS ENUM ('ACCEPTED', 'REJECTED');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('ONLINE', 'POS');

-- CreateEnum
CREATE TYPE "RecordOrigin" AS ENUM ('WEBHOOK', 'BACKFILL', 'IMPORT');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "WebhookReceipt" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "apiVersion" TEXT,
    "triggeredAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payloadDigest" TEXT NOT NULL,
    "payloadBytes" INTEGER NOT NULL,
    "payload" JSONB,
    "status" "ReceiptStatus" NOT NULL,
    "rejectCode" TEXT,
    "rejectReason" TEXT,
    "processedAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "failureReason" TEXT,

    CONSTRAINT "WebhookReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "address1" TEXT,
    "address2" TEXT,
    "city" TEXT,
    "province" TEXT,
    "zip" TEXT,
    "countryCode" TEXT,
    "tags" TEXT[],
    "state" TEXT,
    "note" TEXT,
    "shopifyCreatedAt" TIMESTAMP(3),
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "origin" "RecordOrigin" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("shop","customerGid")
);

-- CreateTable
CREATE TABLE "Order" (
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "name" TEXT,
    "channel" "Channel" NOT NULL,
    "sourceName" TEXT,
    "locationGid" TEXT,
    "branchName" TEXT,
    "shopifyCreatedAt" TIMESTAMP(3) NOT NULL,
    "processedAt" TIMESTAMP(3),
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,
    "financialStatus" TEXT,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "discountsMinor" BIGINT NOT NULL,
    "shippingMinor" BIGINT NOT NULL,
    "taxMinor" BIGINT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "taxesIncluded" BOOLEAN NOT NULL DEFAULT false,
    "discountCodes" TEXT[],
    "gateways" TEXT[],
    "customerGid" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "address1" TEXT,
    "address2" TEXT,
    "city" TEXT,
    "province" TEXT,
    "zip" TEXT,
    "countryCode" TEXT,
    "tags" TEXT[],
    "origin" "RecordOrigin" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("shop","orderGid")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "lineGid" TEXT NOT NULL,
    "productGid" TEXT,
    "variantGid" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "variantTitle" TEXT,
    "quantity" INTEGER NOT NULL,
    "priceMinor" BIGINT NOT NULL,
    "discountMinor" BIGINT NOT NULL,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("shop","orderGid","lineGid")
);

-- CreateTable
CREATE TABLE "Refund" (
    "shop" TEXT NOT NULL,
    "refundGid" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "shopifyCreatedAt" TIMESTAMP(3) NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "linesSubtotalMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "origin" "RecordOrigin" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("shop","refundGid")
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "shop" TEXT NOT NULL,
    "refundGid" TEXT NOT NULL,
    "lineGid" TEXT NOT NULL,
    "orderLineGid" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,

    CONSTRAINT "RefundLine_pkey" PRIMARY KEY ("shop","refundGid","lineGid")
);

-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PENDING',
    "bulkOperationId" TEXT,
    "resultUrl" TEXT,
    "totalObjects" INTEGER,
    "importedLines" INTEGER NOT NULL DEFAULT 0,
    "importedObjects" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileDigest" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'PENDING',
    "totalRows" INTEGER NOT NULL DEFAULT 0,
    "acceptedRows" INTEGER NOT NULL DEFAULT 0,
    "rejectedRows" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "processedOrders" INTEGER NOT NULL DEFAULT 0,
    "columnMapping" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ImportRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportRejection" (
    "id" BIGSERIAL NOT NULL,
    "importRunId" TEXT NOT NULL,
    "rowNumber" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "ImportRejection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookReceipt_shop_receivedAt_idx" ON "WebhookReceipt"("shop", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookReceipt_shop_topic_status_idx" ON "WebhookReceipt"("shop", "topic", "status");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookReceipt_shop_webhookId_key" ON "WebhookReceipt"("shop", "webhookId");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookReceipt_shop_topic_eventId_key" ON "WebhookReceipt"("shop", "topic", "eventId");

-- CreateIndex
CREATE INDEX "Customer_shop_shopifyUpdatedAt_idx" ON "Customer"("shop", "shopifyUpdatedAt");

-- CreateIndex
CREATE INDEX "Order_shop_customerGid_idx" ON "Order"("shop", "customerGid");

-- CreateIndex
CREATE INDEX "Order_shop_shopifyCreatedAt_idx" ON "Order"("shop", "shopifyCreatedAt");

-- CreateIndex
CREATE INDEX "Order_shop_channel_shopifyCreatedAt_idx" ON "Order"("shop", "channel", "shopifyCreatedAt");

-- CreateIndex
CREATE INDEX "OrderLine_shop_productGid_idx" ON "OrderLine"("shop", "productGid");

-- CreateIndex
CREATE INDEX "Refund_shop_orderGid_idx" ON "Refund"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "BackfillRun_shop_startedAt_idx" ON "BackfillRun"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "BackfillRun_shop_bulkOperationId_idx" ON "BackfillRun"("shop", "bulkOperationId");

-- CreateIndex
CREATE INDEX "ImportRun_shop_startedAt_idx" ON "ImportRun"("shop", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ImportRun_shop_fileDigest_key" ON "ImportRun"("shop", "fileDigest");

-- CreateIndex
CREATE UNIQUE INDEX "ImportRejection_importRunId_rowNumber_code_key" ON "ImportRejection"("importRunId", "rowNumber", "code");

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_shop_orderGid_fkey" FOREIGN KEY ("shop", "orderGid") REFERENCES "Order"("shop", "orderGid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_shop_refundGid_fkey" FOREIGN KEY ("shop", "refundGid") REFERENCES "Refund"("shop", "refundGid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportRejection" ADD CONSTRAINT "ImportRejection_importRunId_fkey" FOREIGN KEY ("importRunId") REFERENCES "ImportRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
