/**
 * Point reservations: the shared service behind POS and online redemptions. A reservation holds
 * points (RESERVE) and gets a single-use discount code, bound to the customer when known, that
 * ends when the reservation expires; it then settles when an order uses the code (order-stored
 * job) or is released (expired, cancelled, or Shopify would not create the code).
 *
 * No network inside a transaction: the hold and the reservation row (code PENDING) commit first,
 * then Shopify is called, then the outcome is recorded (CREATED) or compensated (RELEASE with
 * CODE_FAILED). A retry with the same client request id returns the same reservation, finishing
 * the code if a crash left it PENDING; it never holds points twice.
 */
import crypto from "node:crypto";
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import {
  ConflictError,
  DiscountCodeFailedError,
  ProgramDisabledError,
  ValidationError,
  isDomainError,
  type FieldErrors,
} from "../domain/errors";
import type { Channel } from "../domain/loyalty/earn";
import { toReleaseKey, toReserveKey } from "../domain/loyalty/keys";
import { computeInactivityExpiresAt, computeLotBalances } from "../domain/loyalty/lots";
import { computeRedemption, type RedemptionCart, type RedemptionQuote } from "../domain/loyalty/redemption";
import type { ProgramSettings } from "../domain/loyalty/settings";
import {
  getReservationByRequestId,
  listExpiredReservationIds,
  listOpenLots,
  listReservations,
  listReservationsWithCodeToClean,
  listShopsWithReservationWork,
  updateReservationCode,
  type ReservationRow,
} from "../models/ledger.server";
import {
  createReservationDiscount,
  deleteDiscount,
  findDiscountByCode,
  formatUserErrors,
  type ReservationDiscount,
} from "../shopify/discount-codes";
import type { AdminGraphql } from "../shopify/graphql-client";
import { getLatestSettingsVersion } from "../models/loyalty-settings.server";
import { resolveWalletProfile } from "./adjust-points.server";
import { runLedgerUnit, type CommandResult, type PlannedCommand } from "./loyalty-ledger.server";
import { offlineGraphql } from "./offline-admin.server";

export const DEFAULT_RESERVATION_TTL_MINUTES = 30;
const MAX_TTL_MINUTES = 7 * 24 * 60;

/**
 * How long after its expiry an OPEN reservation is left alone. Shopify refuses the code from
 * `endsAt` (= expiresAt), but an order placed a moment before reaches us later (orders/create
 * webhook, then the order-stored job); releasing at once would race that settle and hand back
 * points for an order that got the discount. The ledger allows only one outcome either way.
 */
export const EXPIRY_GRACE_MS = 2 * 60 * 1000;

/**
 * How long after a released reservation's expiry the job still tries to delete its code. Past its
 * endsAt (= expiresAt) Shopify refuses the code anyway; deleting only tidies the merchant's
 * discount list, so a shop that uninstalled (no Admin API) is not retried forever.
 */
const CODE_CLEANUP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Unambiguous when read aloud or typed at a till: no I, O, 0 or 1. 32 symbols, so bytes map without bias. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** `WAFA-` and 8 symbols from a CSPRNG (32^8 ≈ 10^12 codes). */
export function generateDiscountCode(): string {
  const bytes = crypto.randomBytes(8);
  let code = "WAFA-";
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

/**
 * The reservation id of a client request: the same (shop, client request id) always names the same
 * reservation, so even two racing first attempts meet on one RESERVE key.
 */
export function toReservationId(shop: string, clientRequestId: string): string {
  const hex = crypto.createHash("sha256").update(`reservation\n${shop}\n${clientRequestId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ReservationView {
  id: string;
  profileId: string;
  clientRequestId: string;
  status: ReservationRow["status"];
  points: number;
  expiresAt: Date;
  channel: Channel;
  locationGid: string | null;
  rewardId: string | null;
  discount: { kind: string; value: string; currency: string; minOrderMinor: number };
  customerGid: string | null;
  code: string | null;
  discountNodeGid: string | null;
  codeStatus: string;
  codeError: string | null;
  closeReason: string | null;
  settledOrderGid: string | null;
}

function toView(row: ReservationRow): ReservationView {
  return {
    id: row.id,
    profileId: row.profileId,
    clientRequestId: row.clientRequestId,
    status: row.status,
    points: row.points,
    expiresAt: row.expiresAt,
    channel: row.channel,
    locationGid: row.locationGid,
    rewardId: row.rewardId,
    discount: { kind: row.discountKind, value: row.discountValue, currency: row.currency, minOrderMinor: Number(row.minOrderMinor) },
    customerGid: row.customerGid,
    code: row.discountCode,
    discountNodeGid: row.discountNodeGid,
    codeStatus: row.codeStatus,
    codeError: row.codeError,
    closeReason: row.closeReason,
    settledOrderGid: row.settledOrderGid,
  };
}

async function withClient<T>(run: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await run(client);
  } finally {
    client.release();
  }
}

async function requireReservation(shop: string, id: string): Promise<ReservationRow> {
  const [row] = await withClient((client) => listReservations(client, { shop, ids: [id] }));
  if (!row) throw new Error(`Reservation ${id} vanished`);
  return row;
}

export interface ReservePointsInput {
  shop: string;
  profileId: string;
  rewardId: string;
  /** The client's id for this redemption attempt (POS or checkout); a retry sends the same one. */
  clientRequestId: string;
  channel: Channel;
  locationGid?: string | null;
  cart: RedemptionCart;
  /** Binds the code to this Shopify customer; without it any buyer holding the code may use it. */
  customerGid?: string | null;
  staffId?: string | null;
  ttlMinutes?: number;
  now?: Date;
  /** The admin context's client (POS / checkout request); the shop's offline client otherwise. */
  graphql?: AdminGraphql;
}

const GID = (type: string) => new RegExp(`^gid://shopify/${type}/\\d+$`);

function parseReserveInput(input: ReservePointsInput): void {
  const fieldErrors: FieldErrors = {};
  const text = (value: unknown, max: number) => typeof value === "string" && value.trim().length > 0 && value.length <= max;
  if (!text(input.profileId, 200)) fieldErrors.profileId = ["Required"];
  if (!text(input.rewardId, 100)) fieldErrors.rewardId = ["Required"];
  if (!text(input.clientRequestId, 200)) fieldErrors.clientRequestId = ["A request id (up to 200 characters) is required"];
  if (input.channel !== "ONLINE" && input.channel !== "POS") fieldErrors.channel = ["ONLINE or POS"];
  if (input.locationGid != null && !GID("Location").test(input.locationGid)) fieldErrors.locationGid = ["A Shopify location GID"];
  if (input.customerGid != null && !GID("Customer").test(input.customerGid)) fieldErrors.customerGid = ["A Shopify customer GID"];
  if (input.staffId != null && !text(input.staffId, 200)) fieldErrors.staffId = ["Up to 200 characters"];
  if (input.ttlMinutes !== undefined && (!Number.isSafeInteger(input.ttlMinutes) || input.ttlMinutes < 1 || input.ttlMinutes > MAX_TTL_MINUTES)) {
    fieldErrors.ttlMinutes = [`Whole minutes from 1 to ${MAX_TTL_MINUTES}`];
  }
  const cart = input.cart as Partial<RedemptionCart> | undefined;
  if (!cart || typeof cart !== "object") fieldErrors.cart = ["Required"];
  else {
    if (typeof cart.currency !== "string" || !/^[A-Z]{3}$/.test(cart.currency)) fieldErrors["cart.currency"] = ["An ISO 4217 code"];
    for (const field of ["subtotalMinor", "shippingMinor"] as const) {
      if (!Number.isSafeInteger(cart[field]) || (cart[field] as number) < 0) fieldErrors[`cart.${field}`] = ["Must be a non-negative integer"];
    }
  }
  if (input.now !== undefined && (!(input.now instanceof Date) || Number.isNaN(input.now.getTime()))) fieldErrors.now = ["A valid date"];
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, "Invalid reservation");
}

/** What the code gives on Shopify's side, from the quote (see each case for the guard it adds). */
function toDiscountTerms(settings: ProgramSettings, quote: RedemptionQuote): Omit<ReservationDiscount, "code" | "title" | "customerGid" | "startsAt" | "endsAt"> {
  const { reward, discount } = quote;
  // The smallest subtotal on which `amountMinor` stays within the share payable with points, so
  // removing items after the quote cannot make the code cover more than the program allows.
  const shareFloor = (amountMinor: number) => Math.ceil((amountMinor * 100) / Math.max(1, settings.maxOrderSharePercent));
  switch (reward.kind) {
    case "FIXED_AMOUNT":
      return {
        kind: "FIXED_AMOUNT",
        currency: discount.currency,
        amountMinor: discount.amountMinor,
        percent: null,
        minSubtotalMinor: Math.max(reward.minOrderMinor, shareFloor(discount.amountMinor)),
      };
    case "PERCENTAGE": {
      // A basic code cannot cap a percentage: when the reward's cap binds on this cart, the code
      // gives the capped amount as a fixed amount instead, so a bigger cart does not get more.
      if (reward.maxDiscountMinor !== null && discount.amountMinor >= reward.maxDiscountMinor) {
        return {
          kind: "FIXED_AMOUNT",
          currency: discount.currency,
          amountMinor: discount.amountMinor,
          percent: null,
          minSubtotalMinor: Math.max(reward.minOrderMinor, shareFloor(discount.amountMinor)),
        };
      }
      return { kind: "PERCENTAGE", currency: discount.currency, amountMinor: null, percent: reward.percent, minSubtotalMinor: reward.minOrderMinor };
    }
    case "FREE_SHIPPING":
      // Shopify's maximumShippingPrice excludes dearer rates (it does not cap them): the reward's cap
      // when it has one, else the rate priced now, so a dearer rate chosen later is not covered.
      return {
        kind: "FREE_SHIPPING",
        currency: discount.currency,
        amountMinor: reward.maxShippingMinor ?? discount.amountMinor,
        percent: null,
        minSubtotalMinor: reward.minOrderMinor,
      };
  }
}

/** The discount's title in the merchant's discount list. */
const toTitle = (rewardName: string) => `Wafa points: ${rewardName}`.slice(0, 255);

function toDiscount(row: ReservationRow, title: string): ReservationDiscount {
  return {
    code: row.discountCode!,
    title,
    kind: row.discountKind as ReservationDiscount["kind"],
    currency: row.currency,
    amountMinor: row.discountKind === "PERCENTAGE" ? null : Number(row.discountValue),
    percent: row.discountKind === "PERCENTAGE" ? Number(row.discountValue) : null,
    minSubtotalMinor: Number(row.minOrderMinor),
    customerGid: row.customerGid,
    startsAt: row.createdAt,
    endsAt: row.expiresAt,
  };
}

/**
 * Holds a reward's points and creates its single-use code (see the module comment). Throws
 * VALIDATION_FAILED, NOT_FOUND, PROGRAM_DISABLED, REWARD_NOT_APPLICABLE, CURRENCY_MISMATCH,
 * INSUFFICIENT_POINTS (pending and expired points do not count), or DISCOUNT_CODE_FAILED after
 * giving the points back.
 */
export async function reservePoints(input: ReservePointsInput): Promise<{ status: "CREATED" | "EXISTING"; reservation: ReservationView }> {
  parseReserveInput(input);
  const { shop } = input;
  const now = input.now ?? new Date();
  const profileId = await resolveWalletProfile({ shop, profileId: input.profileId });
  const existing = await withClient((client) => getReservationByRequestId(client, { shop, clientRequestId: input.clientRequestId }));
  if (existing) return { status: "EXISTING", reservation: await finishExisting(input, profileId, existing) };

  const reservationId = toReservationId(shop, input.clientRequestId);
  const expiresAt = new Date(now.getTime() + (input.ttlMinutes ?? DEFAULT_RESERVATION_TTL_MINUTES) * 60_000);
  let title = "";
  const results = await runLedgerUnit({
    shop,
    now,
    target: async () => ({ walletIds: [profileId] }),
    plan: async (state, client): Promise<PlannedCommand[]> => {
      // A racing attempt with the same request id may have committed while we waited for the lock.
      if (await getReservationByRequestId(client, { shop, clientRequestId: input.clientRequestId })) return [];
      const settings = state.latestSettings;
      if (!settings) throw new ProgramDisabledError();
      const wallet = state.wallets.get(profileId)!;
      const lots = await listOpenLots(client, { shop, profileIds: [profileId] });
      const balances = computeLotBalances(lots, { now, inactivityExpiresAt: computeInactivityExpiresAt(wallet.lastActivityAt, settings.expiry) });
      const availablePoints = wallet.debtPoints > 0 ? 0 : balances.availablePoints;
      const quote = computeRedemption({ settings, rewardId: input.rewardId, cart: input.cart, availablePoints });
      const terms = toDiscountTerms(settings, quote);
      // Drawn here so a retry of the unit (a code already taken in this shop) draws a new one.
      const code = generateDiscountCode();
      title = toTitle(quote.reward.name.en);
      return [
        {
          command: { kind: "RESERVE", idempotencyKey: toReserveKey(reservationId), at: now, walletId: profileId, reservationId, points: quote.pointsCost },
          meta: {
            source: "RESERVATION",
            channel: input.channel,
            locationGid: input.locationGid ?? null,
            details: { rewardId: quote.reward.id, code, discountAmountMinor: quote.discount.amountMinor },
          },
          reservation: {
            clientRequestId: input.clientRequestId,
            expiresAt,
            channel: input.channel,
            locationGid: input.locationGid ?? null,
            rewardId: quote.reward.id,
            discountKind: terms.kind,
            discountValue: String(terms.kind === "PERCENTAGE" ? terms.percent : terms.amountMinor),
            currency: terms.currency,
            minOrderMinor: terms.minSubtotalMinor,
            customerGid: input.customerGid ?? null,
            discountCode: code,
            discountNodeGid: null,
            codeStatus: "PENDING",
            codeError: null,
            staffId: input.staffId ?? null,
          },
        },
      ];
    },
  });
  const [result] = results;
  if (result?.status === "REJECTED") throw result.error;
  const row = await withClient((client) => getReservationByRequestId(client, { shop, clientRequestId: input.clientRequestId }));
  if (!row) throw new Error("The reservation was not stored");
  if (result?.status !== "APPLIED") return { status: "EXISTING", reservation: await finishExisting(input, profileId, row) };
  return { status: "CREATED", reservation: await createCode(input, row, title) };
}

/** A repeated request: the stored outcome, after finishing a code a crash left PENDING. */
async function finishExisting(input: ReservePointsInput, profileId: string, row: ReservationRow): Promise<ReservationView> {
  if (row.profileId !== profileId) {
    throw new ConflictError("This request id was used for another profile's reservation", { clientRequestId: input.clientRequestId });
  }
  if (row.status === "RELEASED" && row.closeReason === "CODE_FAILED") {
    // The same request gets the same answer; a new attempt needs a new request id.
    throw new DiscountCodeFailedError("REFUSED", "Shopify did not create the discount code; the points were released", {
      reservationId: row.id,
      codeError: row.codeError,
    });
  }
  if (row.status === "OPEN" && row.codeStatus === "PENDING") {
    // Too late to create a code Shopify would refuse from its endsAt: give the points back instead.
    if (row.expiresAt.getTime() <= (input.now ?? new Date()).getTime()) {
      return (await releaseReservation({ shop: input.shop, reservationId: row.id, reason: "EXPIRED", now: input.now, graphql: input.graphql })).reservation;
    }
    const settings = (await getLatestSettingsVersion({ shop: input.shop }))?.settings;
    const reward = settings?.rewards.find((candidate) => candidate.id === row.rewardId);
    return createCode(input, row, toTitle(reward?.name.en ?? row.rewardId ?? "points"));
  }
  return toView(row);
}

async function graphqlFor(shop: string, given: AdminGraphql | undefined): Promise<AdminGraphql | null> {
  return given ?? (await offlineGraphql(shop));
}

/** Creates the reservation's code in Shopify, then records CREATED or compensates (see the module comment). */
async function createCode(input: ReservePointsInput, row: ReservationRow, title: string): Promise<ReservationView> {
  const { shop } = input;
  const graphql = await graphqlFor(shop, input.graphql);
  if (!graphql) {
    await failReservation(shop, row, "PENDING", "FAILED", "The shop's Admin API is not available (app not installed)");
    throw new DiscountCodeFailedError("UNREACHABLE", "The shop's Admin API is not available", { reservationId: row.id });
  }
  let nodeGid: string;
  try {
    const outcome = await createReservationDiscount(graphql, toDiscount(row, title));
    if (outcome.status === "REFUSED") {
      // TAKEN: a concurrent retry of this same request may have created the code a moment ago.
      const taken = outcome.userErrors.some((error) => error.code === "TAKEN");
      const adopted = taken ? await findDiscountByCode(graphql, row.discountCode!) : null;
      if (!adopted) {
        const message = formatUserErrors(outcome.userErrors);
        await failReservation(shop, row, "PENDING", "FAILED", message);
        throw new DiscountCodeFailedError("REFUSED", "Shopify refused the discount code; the points were released", {
          reservationId: row.id,
          userErrors: outcome.userErrors,
        });
      }
      nodeGid = adopted;
    } else {
      nodeGid = outcome.nodeGid;
    }
  } catch (error) {
    if (isDomainError(error)) throw error;
    // Unknown outcome: Shopify may hold the code. Give the points back, then look for the code by
    // its text and delete it; if that fails too, PENDING stays and the expiry job cleans it up.
    await failReservation(shop, row, "PENDING", "PENDING", `outcome unknown: ${(error as Error).message}`);
    await cleanUpCode(shop, await requireReservation(shop, row.id), graphql);
    throw new DiscountCodeFailedError("UNREACHABLE", "Shopify could not be reached to create the discount code; the points were released", {
      reservationId: row.id,
    });
  }
  const created = await withClient((client) =>
    updateReservationCode(client, { shop, id: row.id, fromStatus: "PENDING", codeStatus: "CREATED", discountNodeGid: nodeGid, codeError: null }),
  );
  const after = created ?? (await requireReservation(shop, row.id));
  if (after.status !== "OPEN") {
    // Released (expired) while Shopify was creating the code: the code must not outlive it.
    await cleanUpCode(shop, after, graphql);
    throw new DiscountCodeFailedError("UNREACHABLE", "The reservation was released while its code was being created", { reservationId: row.id });
  }
  return toView(after);
}

/** Releases a reservation whose code failed and records the code's state. */
async function failReservation(shop: string, row: ReservationRow, fromStatus: string, codeStatus: string, codeError: string): Promise<void> {
  const [result] = await releaseUnit(shop, [row.id], "CODE_FAILED", new Date());
  if (result.status === "REJECTED" && result.error.code !== "RESERVATION_CLOSED") throw result.error;
  await withClient((client) => updateReservationCode(client, { shop, id: row.id, fromStatus, codeStatus, codeError }));
}

/** RELEASE for each reservation still OPEN under the lock, in one unit of work. */
async function releaseUnit(shop: string, ids: string[], reason: string, now: Date, options: { onlyOpen?: boolean } = {}): Promise<CommandResult[]> {
  return runLedgerUnit({
    shop,
    now,
    target: async () => ({ walletIds: [], reservationIds: ids }),
    plan: (state) =>
      ids
        .filter((id) => !options.onlyOpen || state.reservations.get(id)?.status === "OPEN")
        .map((id) => {
          const row = state.reservations.get(id);
          return {
            command: { kind: "RELEASE" as const, idempotencyKey: toReleaseKey(id), at: state.now, reservationId: id },
            meta: { source: "RESERVATION" as const, channel: row?.channel ?? null, locationGid: row?.locationGid ?? null, details: { reason } },
            closeReason: reason,
          };
        }),
  });
}

/**
 * Best effort, after the release committed: delete a released reservation's code in Shopify.
 * CREATED -> delete by id; PENDING (outcome unknown) -> find by code, delete if there. Records
 * DELETED (or FAILED: never created); on errors keeps the status and records the error for the job.
 */
async function cleanUpCode(shop: string, row: ReservationRow, given?: AdminGraphql | null): Promise<ReservationRow> {
  if (row.status !== "RELEASED" || (row.codeStatus !== "CREATED" && row.codeStatus !== "PENDING")) return row;
  const graphql = given ?? (await offlineGraphql(shop));
  if (!graphql) return row;
  try {
    const nodeGid = row.codeStatus === "CREATED" && row.discountNodeGid ? row.discountNodeGid : await findDiscountByCode(graphql, row.discountCode ?? "");
    if (!nodeGid) {
      return (await withClient((client) => updateReservationCode(client, { shop, id: row.id, fromStatus: row.codeStatus, codeStatus: "FAILED", codeError: row.codeError }))) ?? row;
    }
    const deleted = await deleteDiscount(graphql, nodeGid);
    const update =
      deleted.status === "DELETED"
        ? { codeStatus: "DELETED", discountNodeGid: nodeGid, codeError: row.codeError }
        : { codeStatus: row.codeStatus, codeError: `delete refused: ${formatUserErrors(deleted.userErrors)}` };
    return (await withClient((client) => updateReservationCode(client, { shop, id: row.id, fromStatus: row.codeStatus, ...update }))) ?? row;
  } catch (error) {
    return (
      (await withClient((client) =>
        updateReservationCode(client, { shop, id: row.id, fromStatus: row.codeStatus, codeStatus: row.codeStatus, codeError: `delete failed: ${(error as Error).message}` }),
      )) ?? row
    );
  }
}

export type ReleaseReason = "EXPIRED" | "CANCELLED" | "CODE_FAILED";
const RELEASE_REASONS: ReadonlySet<string> = new Set<ReleaseReason>(["EXPIRED", "CANCELLED", "CODE_FAILED"]);

/**
 * Gives a reservation's points back (RELEASE), then deletes its code in Shopify (best effort,
 * recorded in codeStatus). Releasing twice is harmless (ALREADY_RELEASED); a settled reservation
 * answers RESERVATION_CLOSED, an unknown one NOT_FOUND.
 */
export async function releaseReservation(input: {
  shop: string;
  reservationId: string;
  reason: ReleaseReason;
  now?: Date;
  graphql?: AdminGraphql;
}): Promise<{ status: "RELEASED" | "ALREADY_RELEASED"; reservation: ReservationView }> {
  const fieldErrors: FieldErrors = {};
  if (typeof input.reservationId !== "string" || input.reservationId.trim().length === 0 || input.reservationId.length > 100) {
    fieldErrors.reservationId = ["Required"];
  }
  if (!RELEASE_REASONS.has(input.reason)) fieldErrors.reason = [[...RELEASE_REASONS].join(", ")];
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, "Invalid release");
  const [result] = await releaseUnit(input.shop, [input.reservationId], input.reason, input.now ?? new Date());
  if (result.status === "REJECTED") throw result.error;
  const row = await cleanUpCode(input.shop, await requireReservation(input.shop, input.reservationId), input.graphql);
  return { status: result.status === "APPLIED" ? "RELEASED" : "ALREADY_RELEASED", reservation: toView(row) };
}

/** Shops the expiry job has work for at `now` (expired OPEN reservations, codes left to delete). */
export async function listShopsWithExpiredReservations({ now = new Date() }: { now?: Date } = {}): Promise<string[]> {
  return withClient((client) =>
    listShopsWithReservationWork(client, { before: new Date(now.getTime() - EXPIRY_GRACE_MS), cleanSince: new Date(now.getTime() - CODE_CLEANUP_WINDOW_MS) }),
  );
}

/**
 * The expiry job for one shop: releases OPEN reservations past expiresAt + grace, `batchSize` per
 * unit of work (one transaction each), then deletes released reservations' codes in Shopify.
 * A reservation an order settles meanwhile stays settled (its RELEASE is refused).
 */
export async function releaseExpiredReservations({
  shop,
  now = new Date(),
  batchSize = 100,
  graphql,
}: {
  shop: string;
  now?: Date;
  batchSize?: number;
  graphql?: AdminGraphql;
}): Promise<{ released: number; codesCleaned: number }> {
  const before = new Date(now.getTime() - EXPIRY_GRACE_MS);
  let released = 0;
  for (;;) {
    const ids = await withClient((client) => listExpiredReservationIds(client, { shop, before, limit: batchSize }));
    if (ids.length === 0) break;
    const results = await releaseUnit(shop, ids, "EXPIRED", now, { onlyOpen: true });
    const applied = results.filter((result) => result.status === "APPLIED").length;
    released += applied;
    // Settled meanwhile (not listed again) or a short batch: done; nothing applied: never spin.
    if (ids.length < batchSize || applied === 0) break;
  }
  let codesCleaned = 0;
  const client = graphql ?? (await offlineGraphql(shop));
  if (!client) return { released, codesCleaned };
  for (;;) {
    const rows = await withClient((db) => listReservationsWithCodeToClean(db, { shop, cleanSince: new Date(now.getTime() - CODE_CLEANUP_WINDOW_MS), limit: batchSize }));
    let progressed = 0;
    for (const row of rows) {
      const after = await cleanUpCode(shop, row, client);
      if (after.codeStatus !== row.codeStatus) progressed++;
    }
    codesCleaned += progressed;
    // Stop when Shopify is failing (nothing moved) or the backlog is done; the next run retries.
    if (rows.length < batchSize || progressed === 0) break;
  }
  return { released, codesCleaned };
}
