/**
 * Merging two Shopify customers of one unified profile (customerMerge), on the merchant's request.
 *
 * Order of work (no network call inside a transaction): check both are Shopify customers of the
 * profile; preview in Shopify and, when it names blockers, answer them and change nothing; else
 * record the request (its form id makes a retried submission the same request), start the merge,
 * record its job with a durable poll job in one transaction, and poll a little within the request.
 * When Shopify reports the job COMPLETED, its resultingCustomerId is authoritative and our data
 * follows in one transaction under the shop's identity lock: the merged-away customer's orders
 * belong to the kept one (as in Shopify), the customer is a tombstone (a late customers/update
 * cannot bring it back), its links are carried to the kept customer and its member leaves.
 *
 * The wallet is the profile's: when both customers are in one profile (the usual case) no point
 * moves and nothing is counted twice (earns are keyed by order). If re-clustering had put them in
 * two profiles meanwhile, the moved orders' earns follow the kept customer's profile through a
 * profile event, as a split does (a MERGED event when the other profile is left empty).
 */
import type { CustomerMergeRequest, Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { ConflictError, DomainError, ValidationError } from "../domain/errors";
import { enqueueJob } from "../jobs/queue.server";
import { markCustomerDeleted } from "../models/customer.server";
import { getMembers, getProfile, listMembersOfProfiles, listPairsOf, lockShopIdentity, refreshProfiles } from "../models/profile.server";
import {
  getCustomerMergeJobStatus,
  previewCustomerMerge,
  startCustomerMerge,
  type CustomerMergeBlocker,
  type CustomerMergeView,
} from "../shopify/customer-merge";
import { ShopifyGraphqlError, type AdminGraphql } from "../shopify/graphql-client";
import { followProfileEvents } from "./follow-profile-events.server";

export const CUSTOMER_MERGE_POLL_JOB = "customer-merge-poll" as const;
/** Status reads of a merge job within the merchant's request, and the waits before them. */
const INLINE_POLL_DELAYS_MS = [300, 700];
/** The durable job gives up after this many reads (about an hour at its 1 s .. 60 s spacing). */
export const MAX_JOB_POLLS = 80;

export type { CustomerMergeView };

const customerGid = z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/, "A Shopify customer GID");
const mergeInput = z
  .object({
    customerOneGid: customerGid,
    customerTwoGid: customerGid,
    requestId: z.string().min(1).max(100),
  })
  .refine((v) => v.customerOneGid !== v.customerTwoGid, { message: "Choose two different customers", path: ["customerTwoGid"] });

/** Untrusted form fields as a merge request, or a ValidationError (422 with field errors). */
export function parseCustomerMergeInput(input: Record<string, unknown>) {
  const parsed = mergeInput.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.join(".")] ??= []).push(issue.message);
    throw new ValidationError(fieldErrors, "Choose two different Shopify customers of this profile");
  }
  return parsed.data;
}

const toView = (row: CustomerMergeRequest): CustomerMergeView => ({
  requestId: row.requestId,
  status: row.status,
  customerOneGid: row.customerOneGid,
  customerTwoGid: row.customerTwoGid,
  resultingCustomerGid: row.resultingCustomerGid,
  mergedAwayGid: row.mergedAwayGid,
  blockers: row.errors as unknown as CustomerMergeBlocker[],
  createdAt: row.createdAt.toISOString(),
});

/**
 * A failed Shopify call as a typed error. ACCESS_DENIED: a shop installed before the merge scopes
 * were added has not approved read/write_customer_merge yet (Shopify asks the merchant on the next open).
 */
function shopifyUnavailable(error: unknown) {
  const details = error instanceof ShopifyGraphqlError && Array.isArray(error.details) ? (error.details as Array<{ extensions?: { code?: string } }>) : [];
  if (details.some((e) => e.extensions?.code === "ACCESS_DENIED")) {
    return new DomainError("SHOPIFY_SCOPE_MISSING", "Approve Wafa's access to merge customers in Shopify first.", { scopes: ["read_customer_merge", "write_customer_merge"] });
  }
  return new DomainError("SHOPIFY_UNAVAILABLE", "Shopify could not be reached; nothing was changed. Try again.", { cause: (error as Error).message });
}

/** Both customers must be Shopify customers of this live profile of this shop. */
async function requireProfileCustomers({ shop, profileId, gids }: { shop: string; profileId: string; gids: string[] }) {
  const profile = await getProfile({ shop, profileId });
  const members = await getMembers(prisma, { shop, memberKeys: gids });
  const ok = profile && !profile.mergedIntoId && gids.every((gid) => members.some((m) => m.memberKey === gid && m.memberKind === "CUSTOMER" && m.profileId === profileId));
  if (!ok) throw new ConflictError("Both customers must be Shopify customers of this profile.", { profileId }, "CUSTOMER_NOT_IN_PROFILE");
}

/** What Shopify would do: the customer it would keep, and the blockers that stop the merge. */
export async function previewProfileCustomerMerge(
  { shop, profileId, graphql, input }: { shop: string; profileId: string; graphql: AdminGraphql; input: Record<string, unknown> },
): Promise<{ resultingCustomerGid: string | null; blockers: CustomerMergeBlocker[] }> {
  const { customerOneGid, customerTwoGid } = parseCustomerMergeInput({ ...input, requestId: "preview" });
  await requireProfileCustomers({ shop, profileId, gids: [customerOneGid, customerTwoGid] });
  try {
    return await previewCustomerMerge(graphql, { customerOneGid, customerTwoGid });
  } catch (error) {
    throw shopifyUnavailable(error);
  }
}

/**
 * The merchant confirmed: preview, then merge, as described at the top. Idempotent by `requestId`:
 * the same request again answers its state (and looks at a running job once more).
 */
export async function requestCustomerMerge(
  { shop, profileId, graphql, input, requestedBy, inlineDelaysMs = INLINE_POLL_DELAYS_MS }: {
    shop: string; profileId: string; graphql: AdminGraphql; input: Record<string, unknown>; requestedBy: string | null; inlineDelaysMs?: number[];
  },
): Promise<CustomerMergeView> {
  const { customerOneGid, customerTwoGid, requestId } = parseCustomerMergeInput(input);
  let row = await prisma.customerMergeRequest.findUnique({ where: { shop_requestId: { shop, requestId } } });
  if (row && row.profileId !== profileId) throw new ConflictError("This request belongs to another profile.", { requestId }, "CONFLICT");
  if (row?.status === "RUNNING") return toView(await advanceCustomerMerge({ shop, id: row.id, graphql }));
  if (row && row.status !== "PENDING") return toView(row);

  if (!row) {
    await requireNoMergeUnderWay({ shop, profileId, graphql });
    await requireProfileCustomers({ shop, profileId, gids: [customerOneGid, customerTwoGid] });
    let preview;
    try {
      preview = await previewCustomerMerge(graphql, { customerOneGid, customerTwoGid });
    } catch (error) {
      throw shopifyUnavailable(error);
    }
    if (preview.blockers.length > 0) {
      return { requestId, status: "BLOCKED", customerOneGid, customerTwoGid, resultingCustomerGid: null, mergedAwayGid: null, blockers: preview.blockers, createdAt: null };
    }
    // One merge per profile at a time (checked again under a lock, the preview took time), and
    // insert-if-absent: two submissions of one form race here, and only one of them goes on.
    const created = await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`customer-merge:${shop}:${profileId}`}))`;
      const running = await tx.customerMergeRequest.findFirst({ where: { shop, profileId, status: { in: ["PENDING", "RUNNING"] }, requestId: { not: requestId } } });
      if (running) throw new ConflictError("Another merge of this profile's customers is under way.", { requestId: running.requestId }, "CUSTOMER_MERGE_IN_PROGRESS");
      return tx.customerMergeRequest.createMany({
        data: [{ shop, requestId, profileId, customerOneGid, customerTwoGid, resultingCustomerGid: preview.resultingCustomerGid, requestedBy }],
        skipDuplicates: true,
      });
    });
    row = await prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_requestId: { shop, requestId } } });
    if (created.count === 0) return toView(row);
  }

  return sendPendingMerge({ shop, row, graphql, inlineDelaysMs });
}

/**
 * A PENDING request: recorded, but Shopify's answer to customerMerge is not (this call, or a
 * retry after an answer that never came: Shopify itself then refuses a second merge of the same
 * customers). Its state changes only from PENDING, so two senders cannot undo each other.
 */
async function sendPendingMerge(
  { shop, row, graphql, inlineDelaysMs }: { shop: string; row: CustomerMergeRequest; graphql: AdminGraphql; inlineDelaysMs: number[] },
): Promise<CustomerMergeView> {
  const id = row.id;
  let started;
  try {
    started = await startCustomerMerge(graphql, { customerOneGid: row.customerOneGid, customerTwoGid: row.customerTwoGid });
  } catch (error) {
    await prisma.customerMergeRequest.updateMany({ where: { shop, id, status: "PENDING" }, data: { updatedAt: new Date() } });
    throw shopifyUnavailable(error);
  }
  if (started.status === "REFUSED") {
    await prisma.customerMergeRequest.updateMany({
      where: { shop, id, status: "PENDING" },
      data: { status: "FAILED", errors: started.blockers as unknown as Prisma.InputJsonValue, updatedAt: new Date() },
    });
    return toView(await prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_id: { shop, id } } }));
  }
  await prisma.$transaction(async (tx) => {
    const moved = await tx.customerMergeRequest.updateMany({
      where: { shop, id, status: "PENDING" },
      data: { status: "RUNNING", jobGid: started.jobGid, resultingCustomerGid: started.resultingCustomerGid ?? row.resultingCustomerGid, updatedAt: new Date() },
    });
    // Outlives this request: the job keeps polling if Shopify takes longer than the inline reads.
    if (moved.count > 0) await enqueueJob(tx, CUSTOMER_MERGE_POLL_JOB, { shop, id }, { jobKey: `customer-merge:${id}`, runAt: new Date(Date.now() + 1000), maxAttempts: 10 });
  });
  let view = toView(await prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_id: { shop, id } } }));
  for (const delay of inlineDelaysMs) {
    if (view.status !== "RUNNING") break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    view = toView(await advanceCustomerMerge({ shop, id, graphql }));
  }
  return view;
}

/** A PENDING request untouched this long lost its sender (Shopify did not answer, nobody retried). */
const ABANDONED_PENDING_MS = 60_000;

/**
 * A profile's earlier merge still under way refuses a new one. It is looked at first: a running
 * one's durable job may have given up while Shopify finished, and an abandoned PENDING one is sent
 * again (so a lost answer never blocks the profile for ever).
 */
async function requireNoMergeUnderWay({ shop, profileId, graphql }: { shop: string; profileId: string; graphql: AdminGraphql }) {
  let running = await prisma.customerMergeRequest.findFirst({ where: { shop, profileId, status: { in: ["PENDING", "RUNNING"] } } });
  if (running?.status === "PENDING" && Date.now() - running.updatedAt.getTime() > ABANDONED_PENDING_MS) {
    await sendPendingMerge({ shop, row: running, graphql, inlineDelaysMs: [] });
    running = await prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_id: { shop, id: running.id } } });
  }
  if (running?.status === "RUNNING") {
    try {
      running = await advanceCustomerMerge({ shop, id: running.id, graphql });
    } catch (error) {
      throw shopifyUnavailable(error);
    }
  }
  if (running && (running.status === "PENDING" || running.status === "RUNNING")) {
    throw new ConflictError("Another merge of this profile's customers is under way.", { requestId: running.requestId }, "CUSTOMER_MERGE_IN_PROGRESS");
  }
}

/**
 * One look at a running merge's job: FAILED is recorded, COMPLETED is applied to our data. Safe
 * to run again and concurrently (the apply locks the request row and checks its status).
 */
export async function advanceCustomerMerge({ shop, id, graphql }: { shop: string; id: string; graphql: AdminGraphql }): Promise<CustomerMergeRequest> {
  const row = await prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_id: { shop, id } } });
  if (row.status !== "RUNNING" || !row.jobGid) return row;
  const job = await getCustomerMergeJobStatus(graphql, { jobGid: row.jobGid });
  if (job.status === "RUNNING") {
    return prisma.customerMergeRequest.update({ where: { shop_id: { shop, id } }, data: { polls: { increment: 1 }, updatedAt: new Date() } });
  }
  if (job.status === "FAILED") {
    await prisma.customerMergeRequest.updateMany({
      where: { shop, id, status: "RUNNING" },
      data: { status: "FAILED", errors: job.blockers as unknown as Prisma.InputJsonValue, polls: { increment: 1 }, updatedAt: new Date() },
    });
  } else {
    await applyCompletedMerge({ shop, id, resultingCustomerGid: job.resultingCustomerGid });
  }
  return prisma.customerMergeRequest.findUniqueOrThrow({ where: { shop_id: { shop, id } } });
}

type PairRow = { memberA: string; memberB: string; status: string };

/**
 * Our data after Shopify merged: see the top of this file. One transaction under the shop's
 * identity lock (no re-clustering runs meanwhile); a request already applied is left alone.
 */
export async function applyCompletedMerge({ shop, id, resultingCustomerGid }: { shop: string; id: string; resultingCustomerGid: string }): Promise<void> {
  const now = new Date();
  const moved = await prisma.$transaction(async (tx) => {
    await lockShopIdentity(tx, { shop });
    const [row] = await tx.$queryRaw<CustomerMergeRequest[]>`select * from "CustomerMergeRequest" where shop = ${shop} and id = ${id} for update`;
    if (!row || row.status !== "RUNNING") return false;
    const kept = resultingCustomerGid;
    const away = [row.customerOneGid, row.customerTwoGid].filter((gid) => gid !== kept);
    const members = await getMembers(tx, { shop, memberKeys: [kept, ...away] });
    const keptMember = members.find((m) => m.memberKey === kept) ?? null;
    const events: Array<{ kind: "SPLIT" | "MERGED"; from: string; to: string }> = [];
    const touched = new Set<string>(keptMember ? [keptMember.profileId] : []);
    const merged: Array<{ profileId: string; into: string }> = [];

    for (const gid of away) {
      // Shopify moved the merged-away customer's orders to the kept one.
      await tx.$executeRaw`update "Order" set "customerGid" = ${kept}, "updatedAt" = now() where shop = ${shop} and "customerGid" = ${gid}`;
      await markCustomerDeleted(tx, { shop, customerGid: gid, at: now });
      const member = members.find((m) => m.memberKey === gid);
      if (!member) continue;
      touched.add(member.profileId);
      if (keptMember) await carryLinks(tx, { shop, from: member, to: keptMember, decidedBy: `customer-merge:${id}` });
      await tx.$executeRaw`delete from "MatchPair" where shop = ${shop} and (${gid} in ("memberA", "memberB"))`;
      await tx.identityKey.deleteMany({ where: { shop, memberKey: gid } });
      await tx.profileMember.delete({ where: { shop_memberKey: { shop, memberKey: gid } } });
      if (keptMember && member.profileId !== keptMember.profileId) {
        const left = await listMembersOfProfiles(tx, { shop, profileIds: [member.profileId] });
        const kind = left.length === 0 ? "MERGED" : "SPLIT";
        events.push({ kind, from: member.profileId, to: keptMember.profileId });
        if (kind === "MERGED") merged.push({ profileId: member.profileId, into: keptMember.profileId });
      }
    }
    for (const e of events) {
      // memberKeys: the kept customer, whose orders (the moved ones) earned in the other profile.
      await tx.profileEvent.create({ data: { shop, kind: e.kind, fromProfileId: e.from, toProfileId: e.to, memberKeys: [kept] } });
    }
    await refreshProfiles(tx, { shop, profileIds: [...touched], merged });
    await tx.customerMergeRequest.update({
      where: { shop_id: { shop, id } },
      data: { status: "COMPLETED", resultingCustomerGid: kept, mergedAwayGid: away[0] ?? null, completedAt: now, updatedAt: now, polls: { increment: 1 } },
    });
    return events.length > 0;
  });
  // The ledger follows profile events after they commit (idempotent; the sweep would do it too).
  if (moved) await followProfileEvents({ shop });
}

/**
 * The merged-away member's links become the kept customer's: the person is one, so what was
 * linked to either stays linked (APPROVED, as a merchant decision) and what the merchant rejected
 * stays rejected. Existing decisions on the kept customer's pairs win.
 */
async function carryLinks(
  tx: Prisma.TransactionClient,
  { shop, from, to, decidedBy }: { shop: string; from: { memberKey: string; seq: bigint }; to: { memberKey: string; seq: bigint }; decidedBy: string },
) {
  const pairs = (await listPairsOf(tx, { shop, memberKeys: [from.memberKey] })) as PairRow[];
  const others = pairs
    .map((p) => ({ other: p.memberA === from.memberKey ? p.memberB : p.memberA, status: p.status }))
    .filter((p) => p.other !== to.memberKey && ["AUTO_LINKED", "APPROVED", "REJECTED"].includes(p.status));
  if (others.length === 0) return;
  const seqs = new Map((await getMembers(tx, { shop, memberKeys: others.map((o) => o.other) })).map((m) => [m.memberKey, m.seq]));
  const reasons = JSON.stringify([{ code: "SHOPIFY_MERGE", text: `merged in Shopify with ${from.memberKey}`, weight: 0 }]);
  for (const o of others) {
    const seq = seqs.get(o.other);
    if (seq === undefined) continue;
    const [a, b] = seq < to.seq ? [o.other, to.memberKey] : [to.memberKey, o.other];
    const status = o.status === "REJECTED" ? "REJECTED" : "APPROVED";
    await tx.$executeRaw`
      insert into "MatchPair" (shop, "memberA", "memberB", score, reasons, status, "decidedBy", "decidedAt", "updatedAt")
      values (${shop}, ${a}, ${b}, 0, ${reasons}::jsonb, ${status}::"MatchStatus", ${decidedBy}, now(), now())
      on conflict (shop, "memberA", "memberB") do update set status = excluded.status, reasons = excluded.reasons, "decidedBy" = excluded."decidedBy", "decidedAt" = now(), "updatedAt" = now()
      where "MatchPair".status in ('REVIEW', 'AUTO_LINKED')`;
  }
}

/** The profile's recent merge requests, newest first (the page shows their state). */
export async function listCustomerMerges({ shop, profileId }: { shop: string; profileId: string }): Promise<CustomerMergeView[]> {
  const rows = await prisma.customerMergeRequest.findMany({ where: { shop, profileId }, orderBy: { createdAt: "desc" }, take: 5 });
  return rows.map(toView);
}

/** Delay before the durable job's next read: 1 s, 2 s, 4 s ... at most a minute. */
export const nextPollDelayMs = (polls: number) => Math.min(60_000, 1000 * 2 ** Math.min(polls, 6));
