import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.server";

declare global {
  var prismaGlobal: PrismaClient | undefined;
}

function createClient(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL, max: 20 }) });
}

// One client per process; in development the module is re-evaluated on rebuild, the client is not.
const prisma: PrismaClient = global.prismaGlobal ?? createClient();
if (env.NODE_ENV !== "production") global.prismaGlobal = prisma;

export default prisma;
