-- Which version of the identity code's keys a shop's IdentityKey rows were derived with (see
-- IDENTITY_KEYS_VERSION in app/domain/identity/stored.ts). Rows written before this
-- column existed are version 0: the first identity work on the shop re-keys its members, so a
-- member keyed by older code (a leading Bin dropped from Bin Laden) is found by new records.
ALTER TABLE "Shop" ADD COLUMN "identityKeysVersion" INTEGER NOT NULL DEFAULT 0;
