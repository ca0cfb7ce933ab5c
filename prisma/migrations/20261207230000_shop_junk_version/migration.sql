-- A shop's junk identifiers are read by every identity attach; each process keeps them and asks
-- only whether they changed. "junkVersion" changes (to a random value) with every write to the
-- shop's "JunkIdentifier" rows, whoever makes it (a trigger, so no writer can forget). 0 means the
-- shop never had any, whatever its history: a shop deleted and created again starts at 0 with none.
ALTER TABLE "Shop" ADD COLUMN "junkVersion" BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION wafa_junk_identifier_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Shop" SET "junkVersion" = 1 + floor(random() * 9e18)::bigint
  WHERE shop = CASE WHEN TG_OP = 'DELETE' THEN OLD.shop ELSE NEW.shop END;
  RETURN NULL;
END
$$;

CREATE TRIGGER "JunkIdentifier_changed" AFTER INSERT OR UPDATE OR DELETE ON "JunkIdentifier"
  FOR EACH ROW EXECUTE FUNCTION wafa_junk_identifier_changed();
