-- Progress of a shop's re-key pass (rekeyShop in app/services/resolve-identity.server.ts), now a
-- background job: the version being moved to, the last member done (members are paged in
-- memberKey order) and how many of how many members are done. Written in the transaction of each
-- page, so a pass that stops resumes after its last whole page; all null when no pass is under way.
ALTER TABLE "Shop" ADD COLUMN "identityRekeyVersion" INTEGER,
  ADD COLUMN "identityRekeyAfter" TEXT,
  ADD COLUMN "identityRekeyDone" INTEGER,
  ADD COLUMN "identityRekeyTotal" INTEGER;
