-- No query reads order lines by product (profiles list a profile's lines by order): the index only
-- cost an entry per line on every webhook, backfill and import. A segment feature that filters by
-- product adds the index it needs with its query.
DROP INDEX "OrderLine_shop_productGid_idx";
