/**
 * Starts `npm run demo`'s script as a child process, as a developer would, and returns the URL it
 * prints. Used by the browser tests and the benchmarks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface DemoProcess {
  url: string;
  appUrl: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export async function startDemo(options: { dataDir: string; port: number; fakePort: number; timeoutMs?: number }): Promise<DemoProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/demo.ts"], {
    cwd: ROOT,
    env: { ...process.env, WAFA_DATA_DIR: options.dataDir, PORT: String(options.port), FAKE_SHOPIFY_PORT: String(options.fakePort), DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a demo that does not stop in time is killed with everything it
    // started (tsx's child, the embedded PostgreSQL), never left running after the tests.
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in time:\n${output}`)), options.timeoutMs ?? 120_000);
    const check = () => {
      const match = output.match(/Open Wafa in the demo Shopify admin:\s+(\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
  const appUrl = output.match(/http:\/\/localhost:\d+/)?.[0] ?? `http://localhost:${options.port}`;
  return {
    url,
    appUrl,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
          }
        }, 15_000);
        timer.unref();
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGINT");
      }),
  };
}
