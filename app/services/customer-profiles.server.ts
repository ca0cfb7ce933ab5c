/**
 * What the admin's customer pages show: unified profiles searched by name (Arabic or Latin),
 * phone in any format or email; one profile with its members, invoices and metrics; the review
 * queue and the junk identifiers.
 */
import { foldText, normalizeEmail, normalizePhone, toAsciiDigits, type MatchReason, type RawIdentityRecord } from "../domain/identity";
import prisma from "../db.server";
import {
  getMembers,
  getProfile,
  listJunkIdentifiers,
  listProfileMembers,
  listProfileOrders,
  listProfiles,
  listReviewPairs,
  type ProfileSearch,
} from "../models/profile.server";

export const PROFILES_PAGE_SIZE = 25;

/** Turns what the merchant typed into the normalized form members are indexed by. */
export function parseProfileSearch(query: string, country: string): ProfileSearch {
  const q = query.trim();
  if (!q) return {};
  if (q.includes("@")) return { email: normalizeEmail(q)?.value ?? q.toLowerCase() };
  const compact = toAsciiDigits(q).replace(/[\s+\-().\u200e\u200f]/g, "");
  if (/^\d{5,}$/.test(compact)) {
    const phone = normalizePhone(q, country);
    return { phone: phone?.valid ? phone.value : compact };
  }
  return { name: foldText(q).replace(/\s+/g, " ") };
}

export async function searchProfiles({ shop, country, query, page }: { shop: string; country: string; query: string; page: number }) {
  const search = parseProfileSearch(query, country);
  const { rows, total } = await listProfiles({ shop, search, page, pageSize: PROFILES_PAGE_SIZE });
  return {
    total,
    page,
    pageCount: Math.max(1, Math.ceil(total / PROFILES_PAGE_SIZE)),
    profiles: rows.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      email: p.primaryEmail,
      phone: p.primaryPhone,
      orderCount: p.orderCount,
      totalSpentMinor: p.totalSpentMinor.toString(),
      currency: p.currency,
      lastOrderAt: p.lastOrderAt?.toISOString() ?? null,
      memberCount: p.memberCount,
    })),
  };
}

function describeRecord(record: unknown) {
  const r = record as RawIdentityRecord & { e164?: string };
  return {
    name: [r.first_name, r.last_name, r.full_name].filter(Boolean).join(" ") || null,
    email: r.email ?? null,
    phone: r.e164 ?? r.phone ?? null,
    city: r.city ?? null,
    address: [r.address1, r.address2].filter(Boolean).join(", ") || null,
  };
}

const DAY_MS = 86_400_000;

/** The unified profile: members with why they are linked, invoices, products and metrics. */
export async function getProfileView({ shop, profileId, now }: { shop: string; profileId: string; now: Date }) {
  const profile = await getProfile({ shop, profileId });
  if (!profile) return null;
  if (profile.mergedIntoId) return { redirectTo: profile.mergedIntoId } as const;
  const [members, orders] = await Promise.all([listProfileMembers({ shop, profileId }), listProfileOrders({ shop, profileId })]);
  const live = orders.filter((o) => !o.cancelledAt);
  const first = live.length ? live[live.length - 1].shopifyCreatedAt : null;
  const months = first ? Math.max(1, (now.getTime() - first.getTime()) / (30.4375 * DAY_MS)) : 1;
  const products = new Map<string, { title: string; sku: string | null; quantity: number }>();
  for (const o of live) {
    for (const l of o.lines) {
      const key = l.productGid ?? l.sku ?? l.title;
      const p = products.get(key) ?? { title: l.title, sku: l.sku, quantity: 0 };
      p.quantity += l.quantity;
      products.set(key, p);
    }
  }
  const total = profile.totalSpentMinor;
  return {
    profile: {
      id: profile.id,
      displayName: profile.displayName,
      email: profile.primaryEmail,
      phone: profile.primaryPhone,
      currency: profile.currency,
      firstSeenAt: profile.firstSeenAt?.toISOString() ?? null,
      lastOrderAt: profile.lastOrderAt?.toISOString() ?? null,
    },
    metrics: {
      visits: profile.orderCount,
      visitsPerMonth: Math.round((profile.orderCount / months) * 100) / 100,
      totalSpentMinor: total.toString(),
      averageMinor: profile.orderCount ? (total / BigInt(profile.orderCount)).toString() : "0",
      channels: [...new Set(live.map((o) => o.channel))],
    },
    members: members.map((m) => ({
      memberKey: m.memberKey,
      kind: m.memberKind,
      ...describeRecord(m.record),
      linkedBy: m.linkedBy,
      linkScore: m.linkScore,
      linkReason: m.linkReason,
    })),
    invoices: orders.map((o) => ({
      orderGid: o.orderGid,
      name: o.name ?? o.orderGid.split("/").pop() ?? o.orderGid,
      channel: o.channel,
      branch: o.branchName ?? o.locationGid?.split("/").pop() ?? null,
      at: o.shopifyCreatedAt.toISOString(),
      totalMinor: o.totalMinor.toString(),
      currency: o.currency,
      cancelled: o.cancelledAt !== null,
    })),
    products: [...products.values()].sort((a, b) => b.quantity - a.quantity),
  };
}

/** Pairs waiting for a decision, each side described, with the evidence of the score. */
export async function getReviewQueue({ shop }: { shop: string }) {
  const candidates = await listReviewPairs({ shop, take: 100 });
  const members = new Map((await getMembers(prisma, { shop, memberKeys: candidates.flatMap((p) => [p.memberA, p.memberB]) })).map((m) => [m.memberKey, m]));
  // A pair whose sides were joined through other links has nothing left to decide.
  const pairs = candidates.filter((p) => members.get(p.memberA)?.profileId !== members.get(p.memberB)?.profileId).slice(0, 50);
  const junk = await listJunkIdentifiers(prisma, { shop });
  return {
    pairs: pairs.map((p) => {
      const a = members.get(p.memberA);
      const b = members.get(p.memberB);
      return {
        memberA: p.memberA,
        memberB: p.memberB,
        score: p.score,
        reasons: ((p.reasons ?? []) as unknown as MatchReason[]).map((r) => ({ code: r.code, text: r.text, weight: r.weight })),
        a: { kind: a?.memberKind ?? null, profileId: a?.profileId ?? null, ...describeRecord(a?.record ?? {}) },
        b: { kind: b?.memberKind ?? null, profileId: b?.profileId ?? null, ...describeRecord(b?.record ?? {}) },
      };
    }),
    junk: junk.map((j) => ({ kind: j.kind, value: j.value, source: j.source, active: j.active, reason: j.reason })),
  };
}
