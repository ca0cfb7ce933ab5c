import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { startPostgres } from "../../../scripts/lib/embedded-postgres";

describe("embedded PostgreSQL", () => {
  it("recovers from a stale lock left by a crashed run and keeps its data across restarts", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wafa-pg-"));
    const previous = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const first = await startPostgres({ dataDir, preferredPort: 0 });
      const client = new pg.Client({ connectionString: `${first.serverUrl}/postgres` });
      await client.connect();
      await client.query("create table kept (v int); insert into kept values (42)");
      await client.end();
      await first.stop();

      // A crashed run leaves postmaster.pid behind, naming a process that no longer exists.
      fs.writeFileSync(path.join(dataDir, "postmaster.pid"), `999999\n${dataDir}\n1\n5999\n`);
      const second = await startPostgres({ dataDir, preferredPort: 0 });
      const again = new pg.Client({ connectionString: `${second.serverUrl}/postgres` });
      await again.connect();
      const rows = await again.query("select v from kept");
      await again.end();
      await second.stop();
      expect(rows.rows).toEqual([{ v: 42 }]);
    } finally {
      if (previous) process.env.DATABASE_URL = previous;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
