-- Order lines are written only with their order, in the order's transaction (webhooks, backfills
-- and imports all go through the same storage), and deleted with it (shop redaction deletes lines
-- first). The foreign key re-checked that on every row: one lookup and row lock on "Order" per
-- line, a per-row trigger even inside COPY (1.6 million of them for a million imported orders).
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_shop_orderGid_fkey";
