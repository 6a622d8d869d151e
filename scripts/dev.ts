// `npm run dev [-- --port N]`: wrangler dev on :8787 (or N), and once it answers, content/ published
// through its admin API, so a fresh clone serves the seed article at once.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_PORT, localAdminToken, ROOT, startWrangler, stop, waitUntilUp } from "./local.ts";

const args = process.argv.slice(2);
const at = args.findIndex((a) => a === "--port" || a.startsWith("--port="));
const port = at === -1 ? DEFAULT_PORT : Number(args[at]?.includes("=") ? args[at]?.split("=")[1] : args[at + 1]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("dev: --port needs a port number");
  process.exit(2);
}
const origin = `http://localhost:${port}`;

// wrangler dev reads the token from .dev.vars; make one before it starts.
const token = localAdminToken((line) => console.log(line));
const wrangler = startWrangler(["dev", ...(at === -1 ? ["--port", String(port)] : []), ...args], "inherit");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stop(wrangler).then(() => process.exit(0));
  });
}
wrangler.on("exit", (code) => process.exit(code ?? 0));

try {
  await waitUntilUp(origin, wrangler);
  const publish = spawn(process.execPath, [join(ROOT, "scripts", "publish.ts"), "--url", origin, "--quiet"], {
    cwd: ROOT,
    env: { ...process.env, ADMIN_TOKEN: token },
    stdio: "inherit",
  });
  publish.on("exit", (code) => {
    if (code !== 0) console.error(`dev: publishing content/ failed (exit ${code}); the site still runs at ${origin}`);
  });
} catch (error) {
  console.error(`dev: ${(error as Error).message}`);
}
