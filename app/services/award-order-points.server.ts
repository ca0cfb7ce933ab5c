/**
 * The ledger step of the `order-stored` job: for a batch of stored orders, earn points once per
 * order (by the settings version in force when it was placed), claw back refunds in proportion to
 * the refunded eligible amount and cancellations in full (by that same version), and settle the
 * reservations whose discount code the order used. Re-running it for the same orders is harmless:
 * every command carries the key of its business event.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import { computeOrderEarn, computeRefundReversal, type Channel, type EarnRecord } from "../domain/loyalty/earn";
import { toCancellationReversalKey, toEarnKey, toRefundReversalKey, toSettleKey } from "../domain/loyalty/keys";
import { computeLotDates } from "../domain/loyalty/lots";
import { getSettingsVersionAt } from "../domain/loyalty/settings";
import { runLedgerUnit, type CommandResult, type LedgerState, type PlannedCommand } from "./loyalty-ledger.server";

interface StoredOrder {
  orderGid: string;
  channel: Channel;
  locationGid: string | null;
  placedAt: Date;
  cancelledAt: Date | null;
  currency: string;
  subtotalMinor: number;
  /** Gift cards sold on the order (their lines after discounts): part of the subtotal, never of the earning amount. */
  giftCardMinor: number;
  shippingMinor: number;
  taxMinor: number;
  taxesIncluded: boolean;
  discountCodes: string[];
  profileId: string | null;
}

interface StoredRefund {
  refundGid: string;
  orderGid: string;
  createdAt: Date;
  linesSubtotalMinor: number;
}

async function listOrdersWithProfiles(client: PoolClient, shop: string, orderGids: string[]): Promise<StoredOrder[]> {
  const { rows } = await client.query(
    `select o."orderGid", o.channel, o."locationGid", o."shopifyCreatedAt" at time zone 'UTC' as "placedAt",
            o."cancelledAt" at time zone 'UTC' as "cancelledAt", o.currency, o."subtotalMinor"::float8 as "subtotalMinor",
            coalesce((select sum(l."priceMinor" * l.quantity - l."discountMinor") from "OrderLine" l
                       where l.shop = o.shop and l."orderGid" = o."orderGid" and l."giftCard"), 0)::float8 as "giftCardMinor",
            o."shippingMinor"::float8 as "shippingMinor", o."taxMinor"::float8 as "taxMinor", o."taxesIncluded", o."discountCodes",
            coalesce(mc."profileId", mo."profileId") as "profileId"
       -- Driven by the batch's ids (500 primary-key probes): with "orderGid" = any($2) the planner
       -- chose a parallel scan of the shop's orders at 100,000 of them (90 ms a batch, growing).
       from unnest($2::text[]) as batch(gid)
       join "Order" o on o.shop = $1 and o."orderGid" = batch.gid
       left join "ProfileMember" mc on mc.shop = o.shop and mc."memberKey" = o."customerGid"
       left join "ProfileMember" mo on mo.shop = o.shop and mo."memberKey" = o."orderGid"
      order by o."shopifyCreatedAt", o."orderGid"`,
    [shop, orderGids],
  );
  return rows;
}

async function listRefunds(client: PoolClient, shop: string, orderGids: string[]): Promise<StoredRefund[]> {
  const { rows } = await client.query(
    // The refunded lines' subtotal without refunded gift cards: they earned nothing, so they claw back nothing.
    `select r."refundGid", r."orderGid", r."shopifyCreatedAt" at time zone 'UTC' as "createdAt",
            (r."linesSubtotalMinor" - coalesce((select sum(rl."subtotalMinor") from "RefundLine" rl
               join "OrderLine" l on l.shop = rl.shop and l."orderGid" = r."orderGid" and l."lineGid" = rl."orderLineGid" and l."giftCard"
              where rl.shop = r.shop and rl."refundGid" = r."refundGid"), 0))::float8 as "linesSubtotalMinor"
       from "Refund" r where r.shop = $1 and r."orderGid" in (select unnest($2::text[])) order by r."shopifyCreatedAt", r."refundGid"`,
    [shop, orderGids],
  );
  return rows;
}

/**
 * Reservations whose code the orders used: OPEN ones settle; ones already released because they
 * expired (the order's webhook came after the grace period) are charged late, see planOrderCommands.
 */
async function listReservationsByCode(
  client: PoolClient,
  shop: string,
  codes: string[],
): Promise<Array<{ id: string; code: string; status: "OPEN" | "RELEASED"; profileId: string; points: number }>> {
  if (codes.length === 0) return [];
  const { rows } = await client.query(
    `select id, "discountCode" as code, status, "profileId", points from "LoyaltyReservation"
      where shop = $1 and upper("discountCode") = any($2::text[])
        and (status = 'OPEN' or (status = 'RELEASED' and "closeReason" = 'EXPIRED'))`,
    [shop, codes.map((code) => code.toUpperCase())],
  );
  return rows;
}

/** True when the shop has ever saved program settings: shops without a program skip the loyalty steps in one query. */
export async function hasProgram(shop: string): Promise<boolean> {
  const { rows } = await pool.query(`select 1 from "LoyaltySettingsVersion" where shop = $1 limit 1`, [shop]);
  return rows.length > 0;
}

/**
 * Earn, claw back and settle for a batch of stored orders (see the module comment). A shop without
 * a program earns nothing (no settings version is in force); the job step skips it before calling.
 */
export async function awardOrderPoints({ shop, orderGids, now }: { shop: string; orderGids: string[]; now?: Date }): Promise<CommandResult[]> {
  if (orderGids.length === 0) return [];
  let orders: StoredOrder[] = [];
  let refunds: StoredRefund[] = [];
  let settling: Awaited<ReturnType<typeof listReservationsByCode>> = [];
  return runLedgerUnit({
    shop,
    now,
    // The identity step moves orders between profiles under this lock held exclusively; holding
    // it shared means the order -> profile mapping read here cannot change before we commit.
    before: async (client) => {
      await client.query(`select pg_advisory_xact_lock_shared(hashtext($1))`, [`identity:${shop}`]);
    },
    target: async (client) => {
      orders = await listOrdersWithProfiles(client, shop, orderGids);
      refunds = await listRefunds(client, shop, orderGids);
      settling = await listReservationsByCode(client, shop, [...new Set(orders.flatMap((order) => order.discountCodes))]);
      return {
        walletIds: [
          ...orders.flatMap((order) => (order.profileId ? [order.profileId] : [])),
          ...settling.filter((reservation) => reservation.status === "RELEASED").map((reservation) => reservation.profileId),
        ],
        orderGids: orders.map((order) => order.orderGid),
        reservationIds: settling.filter((reservation) => reservation.status === "OPEN").map((reservation) => reservation.id),
      };
    },
    plan: (state) => planOrderCommands(state, orders, refunds, settling),
  });
}

function planOrderCommands(
  state: LedgerState,
  orders: StoredOrder[],
  refunds: StoredRefund[],
  settling: Array<{ id: string; code: string; status: "OPEN" | "RELEASED"; profileId: string; points: number }>,
): PlannedCommand[] {
  const planned: PlannedCommand[] = [];
  const refundsByOrder = new Map<string, StoredRefund[]>();
  for (const refund of refunds) {
    if (!refundsByOrder.has(refund.orderGid)) refundsByOrder.set(refund.orderGid, []);
    refundsByOrder.get(refund.orderGid)!.push(refund);
  }
  for (const order of orders) {
    const stored = state.orderEarns.get(order.orderGid);
    let earn: EarnRecord | null = stored
      ? { settingsVersion: stored.settingsVersion, eligibleAmountMinor: stored.eligibleAmountMinor, points: stored.earnedPoints }
      : null;
    const meta = { channel: order.channel, locationGid: order.locationGid };

    if (!stored && order.profileId && !order.cancelledAt) {
      const version = getSettingsVersionAt(state.settingsVersions, order.placedAt);
      if (version && version.settings.enabled && version.settings.currency === order.currency) {
        const wallet = state.wallets.get(order.profileId);
        const computed = computeOrderEarn({
          settingsVersion: version,
          amounts: {
            currency: order.currency,
            lineItemsMinor: order.subtotalMinor,
            giftCardLineItemsMinor: order.giftCardMinor,
            lineItemsTaxMinor: order.taxMinor,
            shippingMinor: order.shippingMinor,
            shippingTaxMinor: 0,
            taxesIncluded: order.taxesIncluded,
          },
          channel: order.channel,
          locationGid: order.locationGid,
          tierId: wallet?.tierId ?? null,
        });
        const dates = computeLotDates(order.placedAt, version.settings);
        earn = { settingsVersion: version.version, eligibleAmountMinor: computed.eligibleAmountMinor, points: computed.points };
        planned.push({
          command: {
            kind: "EARN",
            idempotencyKey: toEarnKey(order.orderGid),
            at: order.placedAt,
            walletId: order.profileId,
            orderId: order.orderGid,
            points: computed.points,
            eligibleAmountMinor: computed.eligibleAmountMinor,
            settingsVersion: version.version,
            availableAt: dates.availableAt,
            expiresAt: dates.expiresAt,
          },
          meta: { source: "ORDER", ...meta, details: { factors: computed.factors, eligibleAmountMinor: computed.eligibleAmountMinor } },
          earn: { channel: order.channel, locationGid: order.locationGid, placedAt: order.placedAt },
        });
      }
    }

    if (earn && earn.points > 0) {
      const version = state.settingsVersions.find((candidate) => candidate.version === earn!.settingsVersion);
      let refundedEligible = 0;
      let reversed = 0;
      // Each refund's clawback follows from all refunds up to it (proportional, rounded once on
      // the cumulative amount), so it is the same whichever job computes it and whenever.
      for (const refund of refundsByOrder.get(order.orderGid) ?? []) {
        if (!version) break;
        const earningSubtotal = order.subtotalMinor - order.giftCardMinor;
        const refundEligible = earningSubtotal > 0 ? Math.round((Math.max(0, refund.linesSubtotalMinor) * earn.eligibleAmountMinor) / earningSubtotal) : 0;
        const reversal = computeRefundReversal({
          earn,
          settingsVersion: version,
          refundAmounts: {
            currency: version.settings.currency,
            lineItemsMinor: refundEligible,
            giftCardLineItemsMinor: 0,
            lineItemsTaxMinor: 0,
            shippingMinor: 0,
            shippingTaxMinor: 0,
            taxesIncluded: false,
          },
          previouslyRefundedEligibleMinor: refundedEligible,
          previouslyReversedPoints: reversed,
        });
        refundedEligible = reversal.cumulativeRefundedEligibleMinor;
        reversed += reversal.points;
        if (reversal.points === 0) continue;
        planned.push({
          command: { kind: "REVERSAL", idempotencyKey: toRefundReversalKey(refund.refundGid), at: refund.createdAt, orderId: order.orderGid, points: reversal.points, reason: "REFUND" },
          meta: { source: "REFUND", ...meta, refundGid: refund.refundGid, details: { refundEligibleAmountMinor: reversal.refundEligibleAmountMinor } },
          refundedEligibleMinor: refundedEligible,
        });
      }
      if (order.cancelledAt && earn.points - reversed > 0) {
        planned.push({
          command: {
            kind: "REVERSAL",
            idempotencyKey: toCancellationReversalKey(order.orderGid),
            at: order.cancelledAt,
            orderId: order.orderGid,
            points: earn.points - reversed,
            reason: "CANCELLED",
          },
          meta: { source: "CANCELLATION", ...meta },
        });
      }
    }
  }
  const orderByCode = new Map<string, StoredOrder>();
  for (const order of orders) for (const code of order.discountCodes) orderByCode.set(code.toUpperCase(), order);
  for (const reservation of settling) {
    const order = orderByCode.get(reservation.code.toUpperCase());
    if (!order) continue;
    if (reservation.status === "RELEASED") {
      // The code was used after its hold expired and the points went back: the shopper got the
      // discount, so the points are spent now, under the settle key (once). If they were spent
      // meanwhile the redemption is refused (INSUFFICIENT_POINTS) and the reservation keeps
      // showing as used-after-release for the merchant.
      planned.push({
        command: { kind: "REDEEM", idempotencyKey: toSettleKey(reservation.id), at: order.placedAt, walletId: reservation.profileId, points: reservation.points },
        meta: { source: "RESERVATION", channel: order.channel, locationGid: order.locationGid, details: { lateSettle: true, reservationId: reservation.id, orderGid: order.orderGid } },
      });
      continue;
    }
    planned.push({
      command: { kind: "SETTLE", idempotencyKey: toSettleKey(reservation.id), at: order.placedAt, reservationId: reservation.id },
      meta: { source: "RESERVATION", channel: order.channel, locationGid: order.locationGid },
      settledOrderGid: order.orderGid,
    });
  }
  return planned;
}
