-- A gift card sold on an order earns no points (issue #5: the earning amount excludes gift cards).
ALTER TABLE "OrderLine" ADD COLUMN "giftCard" BOOLEAN NOT NULL DEFAULT false;
