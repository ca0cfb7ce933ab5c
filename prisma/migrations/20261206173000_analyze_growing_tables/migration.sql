-- Statistics that keep up with a shop that is growing fast (the first hours after install: a
-- backfill, a webhook backlog). PostgreSQL re-analyzes a table after 10% of it changed; a table
-- analyzed while it held a handful of rows then has statistics that say a shop has one row, and
-- the identity and ledger steps get plans that walk the whole shop for every batch (measured: a
-- profile refresh of 114 profiles at 20,000 orders took 250 ms instead of 10). Analyzing after
-- 2% (plus 500 rows) costs a sample of at most 30,000 rows now and then.
ALTER TABLE "Order" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "OrderLine" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "Refund" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "Customer" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "WebhookReceipt" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "Profile" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "ProfileMember" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "IdentityKey" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "MatchPair" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "LoyaltyEntry" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "LoyaltyLot" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "LoyaltyWallet" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
ALTER TABLE "LoyaltyOrderEarn" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500);
