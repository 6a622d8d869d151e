// Site configuration from the Worker's vars, validated once per env object.
export interface Site {
  /** Public origin without a trailing slash; set per request when SITE_URL is empty. */
  origin: string;
  title: string;
  description: string;
  language: string;
  author: string;
  pageSize: number;
  hub: string | null;
  /** Whether isolates remember KV reads and rendered bodies between requests (see src/lru.ts). */
  isolateMemory: boolean;
  /** The writer's least interval between two writes of one KV key (KV allows one a second). */
  kvWriteIntervalMs: number;
}

export type SiteConfig = Omit<Site, "origin"> & { origin: string | null };

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function absoluteUrl(name: string, value: string): string {
  if (!URL.canParse(value)) throw new ConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError(`${name} must be http(s)`);
  return url.href;
}

const absoluteOrigin = (name: string, value: string) => new URL(absoluteUrl(name, value)).origin;

type SiteVars = Partial<
  Record<
    | "SITE_URL"
    | "SITE_TITLE"
    | "SITE_DESCRIPTION"
    | "SITE_LANGUAGE"
    | "SITE_AUTHOR"
    | "FEED_PAGE_SIZE"
    | "WEBSUB_HUB"
    | "ISOLATE_MEMORY"
    | "KV_WRITE_INTERVAL_MS",
    string
  >
>;

export function readSiteConfig(vars: SiteVars): SiteConfig {
  const size = vars.FEED_PAGE_SIZE?.trim() ? Number(vars.FEED_PAGE_SIZE) : PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX) {
    throw new ConfigError(`FEED_PAGE_SIZE must be a whole number from 1 to ${PAGE_SIZE_MAX}`);
  }
  const language = vars.SITE_LANGUAGE?.trim() || "en";
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(language)) {
    throw new ConfigError("SITE_LANGUAGE must be a BCP 47 language tag");
  }
  const memory = vars.ISOLATE_MEMORY?.trim() || "on";
  if (memory !== "on" && memory !== "off") throw new ConfigError('ISOLATE_MEMORY must be "on" or "off"');
  const interval = vars.KV_WRITE_INTERVAL_MS?.trim() ? Number(vars.KV_WRITE_INTERVAL_MS) : 1000;
  if (!Number.isInteger(interval) || interval < 0 || interval > 60_000) {
    throw new ConfigError("KV_WRITE_INTERVAL_MS must be a whole number of milliseconds from 0 to 60000");
  }
  return {
    origin: vars.SITE_URL?.trim() ? absoluteOrigin("SITE_URL", vars.SITE_URL.trim()) : null,
    title: vars.SITE_TITLE?.trim() || "Articles",
    description: vars.SITE_DESCRIPTION?.trim() || "",
    language,
    author: vars.SITE_AUTHOR?.trim() || vars.SITE_TITLE?.trim() || "Editor",
    pageSize: size,
    hub: vars.WEBSUB_HUB?.trim() ? absoluteUrl("WEBSUB_HUB", vars.WEBSUB_HUB.trim()) : null,
    isolateMemory: memory === "on",
    kvWriteIntervalMs: interval,
  };
}

const cache = new WeakMap<object, SiteConfig>();

/** The validated config for this env, computed on first use and kept for the isolate's life. */
export function siteConfig(env: SiteVars & object): SiteConfig {
  let config = cache.get(env);
  if (!config) {
    config = readSiteConfig(env);
    cache.set(env, config);
  }
  return config;
}

const sites = new WeakMap<SiteConfig, Map<string, Site>>();
const fingerprints = new WeakMap<Site, string>();

/** The site as a request sees it; one object per config and origin, so work keyed on it is reused. */
export function siteFor(config: SiteConfig, requestUrl: string): Site {
  const origin = config.origin ?? new URL(requestUrl).origin;
  let byOrigin = sites.get(config);
  if (!byOrigin) {
    byOrigin = new Map();
    sites.set(config, byOrigin);
  }
  let site = byOrigin.get(origin);
  if (!site) {
    site = { ...config, origin };
    // A Worker reached under many hostnames (no SITE_URL) must not grow this without bound.
    if (byOrigin.size < 100) byOrigin.set(origin, site);
  }
  return site;
}

/** Everything about the site that shapes a representation, as one string for validators. */
export function siteFingerprint(site: Site): string {
  let fingerprint = fingerprints.get(site);
  if (fingerprint === undefined) {
    const { isolateMemory: _memory, kvWriteIntervalMs: _interval, ...shaping } = site;
    fingerprint = JSON.stringify(shaping);
    fingerprints.set(site, fingerprint);
  }
  return fingerprint;
}
