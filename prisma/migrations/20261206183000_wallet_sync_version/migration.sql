-- Metafield sync requests without touching an index on every balance change. The request time
-- was bumped to a later value on each change (so a sync running meanwhile would not clear a
-- request for a balance it did not send); as it is indexed (the sync's queue order), every
-- redemption's wallet update wrote new entries into all three wallet indexes. Now the request
-- time is set once and a plain counter, syncVersion, goes up on each change; the sync compares
-- the version it read. A redemption's wallet update changes no indexed value and stays on its
-- page (HOT), with 10% of each page kept free for it.
ALTER TABLE "LoyaltyWallet" ADD COLUMN "syncVersion" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "LoyaltyWallet" SET (fillfactor = 90);

CREATE OR REPLACE FUNCTION wafa_redeem_points(
  p_shop TEXT, p_profile TEXT, p_key TEXT, p_points INTEGER, p_now TIMESTAMP(3),
  p_source TEXT, p_channel "Channel", p_location TEXT, p_staff_name TEXT
) RETURNS JSON LANGUAGE plpgsql
AS $$
DECLARE
  v_balance INTEGER;
  v_activity TIMESTAMP(3);
  v_expiry JSONB;
  v_inactive TIMESTAMP(3);
  v_left INTEGER := p_points;
  v_take INTEGER;
  v_lot RECORD;
  v_ids TEXT[] := '{}';
  v_takes INTEGER[] := '{}';
  v_available INTEGER;
  v_pending INTEGER;
  v_entry BIGINT;
BEGIN
  SELECT "balancePoints", "lastActivityAt" INTO v_balance, v_activity
    FROM "LoyaltyWallet" WHERE shop = p_shop AND "profileId" = p_profile FOR UPDATE;
  IF NOT FOUND THEN
    RETURN json_build_object('status', 'FALLBACK');
  END IF;
  SELECT settings -> 'expiry' INTO v_expiry FROM "LoyaltySettingsVersion" WHERE shop = p_shop ORDER BY version DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN json_build_object('status', 'FALLBACK');
  END IF;
  -- addMonthsUtc: calendar months, the day clamped to the month's last (as PostgreSQL adds months).
  IF v_expiry ->> 'kind' = 'AFTER_INACTIVITY' AND v_activity IS NOT NULL THEN
    v_inactive := v_activity + make_interval(months => (v_expiry ->> 'months')::int);
  END IF;
  -- compareLotsForSpending: own expiry (never-expiring last), available, earned, id (code unit order).
  FOR v_lot IN
    SELECT id, "remainingPoints" FROM "LoyaltyLot"
     WHERE shop = p_shop AND "profileId" = p_profile AND "remainingPoints" > 0 AND "availableAt" <= p_now
       AND (least("expiresAt", v_inactive) IS NULL OR least("expiresAt", v_inactive) > p_now)
     ORDER BY "expiresAt" NULLS LAST, "availableAt", "earnedAt", id COLLATE "C"
  LOOP
    EXIT WHEN v_left = 0;
    v_take := least(v_left, v_lot."remainingPoints");
    v_ids := v_ids || v_lot.id;
    v_takes := v_takes || v_take;
    v_left := v_left - v_take;
  END LOOP;
  -- Lots are updated one by one below, by primary key: a join with the allocations was planned
  -- as a scan of every lot of the shop.
  IF v_left > 0 THEN
    -- A retry of a redemption that went through answers DUPLICATE, not INSUFFICIENT.
    SELECT id INTO v_entry FROM "LoyaltyEntry" WHERE shop = p_shop AND "idempotencyKey" = p_key;
    IF FOUND THEN
      RETURN json_build_object('status', 'DUPLICATE', 'entryId', v_entry::text, 'balance', v_balance);
    END IF;
    SELECT coalesce(sum("remainingPoints") FILTER (WHERE "availableAt" <= p_now), 0),
           coalesce(sum("remainingPoints") FILTER (WHERE "availableAt" > p_now), 0)
      INTO v_available, v_pending
      FROM "LoyaltyLot"
     WHERE shop = p_shop AND "profileId" = p_profile AND "remainingPoints" > 0
       AND (least("expiresAt", v_inactive) IS NULL OR least("expiresAt", v_inactive) > p_now);
    RETURN json_build_object('status', 'INSUFFICIENT', 'available', v_available, 'pending', v_pending);
  END IF;
  INSERT INTO "LoyaltyEntry" (shop, "profileId", "idempotencyKey", kind, points, "balanceAfter", "occurredAt", source, channel,
      "locationGid", "lotAllocations", "movedOrderGids", "staffName")
    VALUES (p_shop, p_profile, p_key, 'REDEEM', -p_points, v_balance - p_points, p_now, p_source, p_channel, p_location,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('lotId', a.id, 'points', a.take) ORDER BY a.n), '[]'::jsonb)
         FROM unnest(v_ids, v_takes) WITH ORDINALITY AS a(id, take, n)),
      '{}', p_staff_name)
    ON CONFLICT (shop, "idempotencyKey") DO NOTHING
    RETURNING id INTO v_entry;
  -- The key is checked by the insert itself (one index probe instead of a lookup and an insert).
  -- Under the wallet lock a retry on this wallet sees the committed first attempt; the same key
  -- racing on another wallet waits for it here. Nothing has been written yet when it conflicts.
  IF v_entry IS NULL THEN
    SELECT id INTO v_entry FROM "LoyaltyEntry" WHERE shop = p_shop AND "idempotencyKey" = p_key;
    RETURN json_build_object('status', 'DUPLICATE', 'entryId', v_entry::text, 'balance', v_balance);
  END IF;
  FOR i IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
    UPDATE "LoyaltyLot" SET "remainingPoints" = "remainingPoints" - v_takes[i] WHERE shop = p_shop AND id = v_ids[i];
  END LOOP;
  UPDATE "LoyaltyWallet" SET "balancePoints" = v_balance - p_points,
      "lastActivityAt" = CASE WHEN "lastActivityAt" IS NULL OR "lastActivityAt" < p_now THEN p_now ELSE "lastActivityAt" END,
      "updatedAt" = now(),
      "syncRequestedAt" = coalesce("syncRequestedAt", clock_timestamp() AT TIME ZONE 'UTC'),
      "syncVersion" = "syncVersion" + 1
   WHERE shop = p_shop AND "profileId" = p_profile;
  RETURN json_build_object('status', 'APPLIED', 'entryId', v_entry::text, 'balance', v_balance - p_points);
END
$$;
