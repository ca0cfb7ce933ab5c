import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { getCustomerOrderSummary } from "../services/customer-summary.server";
import { errorResponse } from "../services/http-errors.server";

const query = z.object({ customerId: z.string().regex(/^\d+$/, "must be the numeric POS customer id") });

// GET /api/pos/customer-summary?customerId=… from the POS extension (session token verified).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return cors(errorResponse(400, "INVALID_CUSTOMER_ID", parsed.error.issues[0].message));
  const shop = new URL(sessionToken.dest).hostname;
  const summary = await getCustomerOrderSummary({ shop, customerGid: `gid://shopify/Customer/${parsed.data.customerId}` });
  return cors(Response.json(summary));
};
