import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "./env.server";

declare global {
  var prismaGlobal: PrismaClient | undefined;
  var pgPoolGlobal: pg.Pool | undefined;
}

/**
 * One pg pool per process, shared by Prisma (through the adapter) and by the few hot paths that
 * send SQL directly (webhook receipts), so both draw on the same connections.
 */
export const pool: pg.Pool = global.pgPoolGlobal ?? createPool();

function createPool(): pg.Pool {
  const created = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_MAX, connectionTimeoutMillis: 5_000 });
  // An idle connection the server closed (restart, failover, shutdown) is dropped by the pool;
  // without a listener its error event would end the process.
  created.on("error", (error) => console.error(`database connection lost: ${error.message}`));
  return created;
}

// One client per process; in development the module is re-evaluated on rebuild, the client is not.
const prisma: PrismaClient = global.prismaGlobal ?? new PrismaClient({ adapter: new PrismaPg(pool) });
if (env.NODE_ENV !== "production") {
  global.prismaGlobal = prisma;
  global.pgPoolGlobal = pool;
}

export default prisma;

/**
 * Whether an error says the database cannot be reached right now (refused, reset, shutting down,
 * too many connections, no free pooled connection in time), as opposed to an error of the
 * statement itself: group commits fail a whole batch on the first kind and retry its items one by
 * one on the second.
 */
export function isConnectionError(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ""} ${(error as { code?: string })?.code ?? ""}`;
  return /ECONNREFUSED|ECONNRESET|57P0[123]|53300|Connection terminated|connect ETIMEDOUT|too many clients|timeout exceeded when trying to connect/i.test(text);
}

/**
 * Runs `work` in a transaction on one pooled pg connection (for the paths that send SQL directly:
 * imports, webhook batches): commits when it returns, rolls back when it throws. A connection
 * whose rollback failed is in an unknown state and is dropped, not given back to the pool.
 */
export async function withPgTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
