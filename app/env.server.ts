/**
 * The app's configuration, parsed once from process.env at start. A missing or malformed value
 * stops the app with a message naming the variable (see env-schema.ts).
 */
import { parseEnv, type Env } from "./env-schema";

export type { Env };
export const env: Env = parseEnv(process.env);
