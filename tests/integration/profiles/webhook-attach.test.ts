import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action as customersCreate } from "~/routes/webhooks.customers.create";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { customerPayload, orderPayload } from "../../factories/shopify-payloads";

describe("profiles from webhooks", () => {
  it("attaches a customer from customers/create and a guest POS order from orders/create to one profile", async () => {
    const { shop } = await installTestShop();
    const customer = customerPayload({ email: "fatimah.otaibi@gmail.com", phone: "+966551234567", first_name: "Fatimah", last_name: "Al-Otaibi" });
    await customersCreate({ request: webhookRequest({ shop, topic: "customers/create", payload: customer, webhookId: "pc-1" }), params: {}, context: {} });
    const order = orderPayload({ customer: null, email: null, phone: "٠٥٥١٢٣٤٥٦٧", source_name: "pos", billing_address: { first_name: "فاطمة", last_name: "العتيبي", phone: "٠٥٥١٢٣٤٥٦٧" } });
    await ordersCreate({ request: webhookRequest({ shop, topic: "orders/create", payload: order, webhookId: "po-1" }), params: {}, context: {} });
    await drainJobs();

    const members = await prisma.profileMember.findMany({ where: { shop }, orderBy: { memberKind: "asc" } });
    expect(members.map((m) => [m.memberKind, m.memberKey])).toEqual([
      ["CUSTOMER", customer.admin_graphql_api_id],
      ["ORDER", order.admin_graphql_api_id],
    ]);
    expect(members[1].profileId).toBe(members[0].profileId);
    expect([...members[0].linkedBy, ...members[1].linkedBy]).toContain("SAME_PHONE");
  });
});
