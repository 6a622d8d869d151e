// WebSub publisher pings (W3C WebSub §7): tell the hub which feed URLs changed.
export interface PingOptions {
  attempts?: number;
  /** First retry delay; each further retry doubles it. */
  baseDelayMs?: number;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pings the hub once per URL, retrying failures with exponential backoff; never throws. */
export async function pingHub(hub: string, urls: string[], options: PingOptions = {}): Promise<boolean[]> {
  const { attempts = 4, baseDelayMs = 1000, log = (m, d) => console.error(m, d ?? "") } = options;
  return Promise.all(
    urls.map(async (url) => {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await fetch(hub, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ "hub.mode": "publish", "hub.url": url }),
          });
          await response.body?.cancel();
          if (response.ok) return true;
          log("WebSub hub refused a ping", { hub, url, status: response.status, attempt });
          if (response.status >= 400 && response.status < 500 && response.status !== 429) return false;
        } catch (error) {
          log("WebSub hub unreachable", { hub, url, attempt, error: String(error) });
        }
        if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
      }
      return false;
    }),
  );
}
