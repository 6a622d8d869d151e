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
    "SITE_URL" | "SITE_TITLE" | "SITE_DESCRIPTION" | "SITE_LANGUAGE" | "SITE_AUTHOR" | "FEED_PAGE_SIZE" | "WEBSUB_HUB",
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
  return {
    origin: vars.SITE_URL?.trim() ? absoluteOrigin("SITE_URL", vars.SITE_URL.trim()) : null,
    title: vars.SITE_TITLE?.trim() || "Articles",
    description: vars.SITE_DESCRIPTION?.trim() || "",
    language,
    author: vars.SITE_AUTHOR?.trim() || vars.SITE_TITLE?.trim() || "Editor",
    pageSize: size,
    hub: vars.WEBSUB_HUB?.trim() ? absoluteUrl("WEBSUB_HUB", vars.WEBSUB_HUB.trim()) : null,
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

export function siteFor(config: SiteConfig, requestUrl: string): Site {
  return { ...config, origin: config.origin ?? new URL(requestUrl).origin };
}
