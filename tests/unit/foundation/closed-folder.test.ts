import { describe, expect, it } from "vitest";
import { firstClosedFolder } from "../../../scripts/lib/embedded-postgres";

describe("folders the postgres user must enter when root starts the embedded server", () => {
  const modes: Record<string, number> = { "/": 0o755, "/tmp": 0o1777, "/tmp/tmp.abc": 0o700, "/tmp/tmp.abc/app": 0o755, "/srv": 0o755, "/srv/app": 0o751 };
  const stat = (p: string) => (p in modes ? { mode: 0o40000 | modes[p] } : null);

  it("names the first folder others cannot enter, from the root down", () => {
    expect(firstClosedFolder("/tmp/tmp.abc/app/node_modules", stat)).toBe("/tmp/tmp.abc");
  });

  it("accepts a path others can enter all the way down, and stops at folders not created yet", () => {
    expect(firstClosedFolder("/srv/app/.data/pg", stat)).toBeNull();
  });
});
