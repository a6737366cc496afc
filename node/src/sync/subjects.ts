/**
 * Subject layout under a configurable prefix (default `aegis.sync`):
 *   <prefix>.rl.<zone>      rate-limit counter deltas of one zone
 *   <prefix>.threat         signed threat events (node-wide blocklist)
 *   <prefix>.notice.<zone>  signed purge / policy-change notices of one zone
 * Zone names are DNS names; dots become `_` so each zone is one subject token (the map is
 * one-to-one because `_` is not allowed in zone names).
 */
export class Subjects {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new RangeError(`invalid subject prefix "${prefix}"`);
  }

  static zoneToken(zone: string): string {
    return zone.replaceAll(".", "_");
  }

  static zoneFromToken(token: string): string {
    return token.replaceAll("_", ".");
  }

  all(): string {
    return `${this.prefix}.>`;
  }

  rateLimit(zone: string): string {
    return `${this.prefix}.rl.${Subjects.zoneToken(zone)}`;
  }

  rateLimitAll(): string {
    return `${this.prefix}.rl.*`;
  }

  threat(): string {
    return `${this.prefix}.threat`;
  }

  notice(zone: string): string {
    return `${this.prefix}.notice.${Subjects.zoneToken(zone)}`;
  }

  noticeAll(): string {
    return `${this.prefix}.notice.*`;
  }

  /** Classifies an incoming subject. */
  kind(subject: string): "rl" | "threat" | "notice" | undefined {
    const rest = subject.startsWith(this.prefix + ".") ? subject.slice(this.prefix.length + 1) : undefined;
    if (rest === undefined) return undefined;
    if (rest === "threat") return "threat";
    if (rest.startsWith("rl.")) return "rl";
    if (rest.startsWith("notice.")) return "notice";
    return undefined;
  }
}
