/** Types of the node package shared across modules and with callers. */
import { z } from "zod";

/** A purge: by exact URL (zone + url), by URL prefix (zone + prefix) or by tag (Surrogate-Key / Cache-Tag). */
export const purgeRequestSchema = z
  .object({
    zone: z.string().min(1).max(253).optional(),
    url: z.string().startsWith("/").max(8192).optional(),
    prefix: z.string().startsWith("/").max(8192).optional(),
    tag: z.string().min(1).max(256).optional(),
    /** Mark stale instead of removing: revalidated on next use, still served if the origin fails. */
    soft: z.boolean().default(false),
  })
  .refine((p) => [p.url, p.prefix, p.tag].filter((x) => x !== undefined).length === 1, "give exactly one of url, prefix, tag")
  .refine((p) => p.tag !== undefined || p.zone !== undefined, "url and prefix purges need a zone");

export type PurgeRequest = z.input<typeof purgeRequestSchema>;

export type { NodeConfig, NodeConfigInput } from "./config.js";
export type { CacheOutcome, NotStoredReason } from "./cache/types.js";
