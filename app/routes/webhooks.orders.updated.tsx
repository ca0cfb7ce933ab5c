import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// POST /webhooks/orders/updated (shopify.app.toml): verified, recorded and queued; processed by a job.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "orders/updated");
// Any other method: the library answers 405.
export const loader = ({ request }: LoaderFunctionArgs) => receiveWebhook(request, "orders/updated");
