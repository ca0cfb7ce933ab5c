import { enqueueJobs } from "../jobs/queue.server";
import type { RawDb } from "../models/sql.server";
import { attachStoredCustomers, attachStoredOrders } from "./resolve-identity.server";
import { awardOrderPoints, hasProgram } from "./award-order-points.server";
import { followProfileEvents } from "./follow-profile-events.server";
import { awardSignupBonuses } from "./award-loyalty-bonuses.server";
import { enqueueTierRecalculation } from "./recalculate-tiers.server";
import { refreshStaleStatisticsSoon } from "../models/statistics.server";

/** What the loyalty step reads by wallet and order: statistics kept up while a new shop fills them. */
const LEDGER_TABLES = ["LoyaltyEntry", "LoyaltyLot", "LoyaltyWallet", "LoyaltyOrderEarn", "LoyaltyReservation"] as const;

/**
 * Steps that follow an order being stored or changed (a new refund, a cancellation). Each later
 * capability adds its step here: attach the order to a unified profile (#4), earn or claw back
 * points (#5). Every step must be idempotent: the job can run more than once.
 */
/** A step receives the orders of one batch (up to 500) so it can work on them set-wise. */
export type OrderStep = (input: { shop: string; orderGids: string[] }) => Promise<void>;

const steps: OrderStep[] = [];

export function registerOrderStep(step: OrderStep): void {
  steps.push(step);
}

export async function runOrderStoredSteps(input: { shop: string; orderGids: string[] }): Promise<void> {
  for (const step of steps) await step(input);
}

/** Steps that follow customers being stored or changed (the `customer-stored` job). */
export type CustomerStep = (input: { shop: string; customerGids: string[] }) => Promise<void>;

const customerSteps: CustomerStep[] = [];

export function registerCustomerStep(step: CustomerStep): void {
  customerSteps.push(step);
}

export async function runCustomerStoredSteps(input: { shop: string; customerGids: string[] }): Promise<void> {
  for (const step of customerSteps) await step(input);
}

/** Enqueues `customer-stored` for the customers a transaction wrote, 500 per job, in that transaction. */
export async function enqueueCustomerStored(tx: RawDb, { shop, customerGids }: { shop: string; customerGids: string[] }): Promise<void> {
  const gids = [...customerGids].sort();
  const chunks: Array<Record<string, unknown>> = [];
  for (let i = 0; i < gids.length; i += 500) chunks.push({ shop, customerGids: gids.slice(i, i + 500) });
  await enqueueJobs(tx, "customer-stored", chunks);
}

// Unified profiles (#4): orders and customers attach to a profile once stored.
registerOrderStep(attachStoredOrders);
registerCustomerStep(attachStoredCustomers);
// Loyalty (#5), one step each so a shop without a program costs one query per batch: wallets first
// follow the profile merges and splits the identity step just made, then orders earn, claw back
// and settle reservations on their (current) profile's wallet, and those profiles' tiers are
// recomputed; new customers get their signup bonus.
registerOrderStep(async (input) => {
  if (!(await hasProgram(input.shop))) return;
  refreshStaleStatisticsSoon(LEDGER_TABLES);
  await followProfileEvents({ shop: input.shop });
  await awardOrderPoints(input);
  await enqueueTierRecalculation(input);
});
registerCustomerStep(async (input) => {
  if (!(await hasProgram(input.shop))) return;
  await followProfileEvents({ shop: input.shop });
  await awardSignupBonuses(input);
});
