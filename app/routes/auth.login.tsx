import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { login } from "../shopify.server";

// The library validates the shop domain and starts the install; errors come back as JSON.
export const loader = async ({ request }: LoaderFunctionArgs) => login(request);
export const action = async ({ request }: ActionFunctionArgs) => login(request);
