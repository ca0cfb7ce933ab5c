-- Receipts still to process, in arrival order: a process-webhook batch fills itself up with the
-- shop's other pending receipts (SKIP LOCKED). Without this index that lookup walked every receipt
-- the shop ever had through (shop, topic, status) and filtered processedAt (49 ms a batch at
-- 20,000 receipts); the partial index holds only the pending ones, so it stays small.
CREATE INDEX "WebhookReceipt_pending_idx" ON "WebhookReceipt"("shop", "id") WHERE "status" = 'ACCEPTED' AND "processedAt" IS NULL;
