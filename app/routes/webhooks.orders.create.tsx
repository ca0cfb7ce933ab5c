import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// POST /webhooks/orders/create (shopify.app.toml): verified, recorded and queued; processed by a job.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "orders/create");
// Any other method: the library answers 405.
export const loader = ({ request }: LoaderFunctionArgs) => receiveWebhook(request, "orders/create");
