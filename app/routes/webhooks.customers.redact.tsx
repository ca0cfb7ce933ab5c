import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// POST /webhooks/customers/redact (shopify.app.toml): verified, recorded and queued; processed by a job.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "customers/redact");
// Any other method: the library answers 405.
export const loader = ({ request }: LoaderFunctionArgs) => receiveWebhook(request, "customers/redact");
