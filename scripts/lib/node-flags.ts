/**
 * Node flags of the web process (`npm start` in package.json passes them; a unit test keeps the
 * two equal, and bench:ingest starts the app with them).
 *
 * --max-semi-space-size=32: a young generation of 32 MB per semi-space (default 16). A webhook
 * delivery allocates about 100 KB (the body, its parse, the receipt); at a thousand a second the
 * default young generation was scavenged every ~100 ms, each scavenge pausing every request in
 * flight. Alternating bench:ingest runs on this machine: ack 1,213 / 1,223 / 1,246 per s, p99
 * 57 / 55 / 54 ms with it against 1,141 / 994 / 1,136 per s, p99 60 / 68 / 64 ms without.
 */
export const WEB_NODE_FLAGS = ["--max-semi-space-size=32"] as const;
