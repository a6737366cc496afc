/**
 * Route matching for a zone's function routes: the first route whose path pattern and
 * method list match wins. Patterns are globs (`*` within a segment, `**` across segments,
 * `?` one character) or RE2 regexes written `re:<regex>`; both match the path without the
 * query string. RE2 keeps matching linear-time whatever a zone owner writes.
 */
import RE2 from "re2";
import type { FunctionRoute, ZonePolicy } from "../policy/schema.js";
import { FunctionConfigError } from "./errors.js";

export interface CompiledRoute {
  readonly index: number;
  readonly route: FunctionRoute;
  readonly regex: RE2;
  readonly methods: ReadonlySet<string> | undefined;
}

export function globToRegexSource(glob: string): string {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return `${out}$`;
}

export function compileRoute(route: FunctionRoute, index: number): CompiledRoute {
  const source = route.pattern.startsWith("re:") ? route.pattern.slice(3) : globToRegexSource(route.pattern);
  let regex: RE2;
  try {
    regex = new RE2(source);
  } catch (err) {
    throw new FunctionConfigError(`route ${index}: bad pattern ${route.pattern}: ${(err as Error).message}`);
  }
  const methods = route.methods.length > 0 ? new Set(route.methods.map((m) => m.toUpperCase())) : undefined;
  return { index, route, regex, methods };
}

export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** Compiles a policy's routes once per policy object. */
export class RouteTable {
  private readonly compiled = new WeakMap<ZonePolicy, CompiledRoute[]>();

  /** `onInvalid` hears about routes that cannot be compiled; they are left out, the others still run. */
  constructor(private readonly onInvalid: (err: FunctionConfigError, policy: ZonePolicy) => void = () => {}) {}

  routesFor(policy: ZonePolicy): CompiledRoute[] {
    let routes = this.compiled.get(policy);
    if (!routes) {
      routes = [];
      for (const [i, route] of policy.functions.entries()) {
        try {
          routes.push(compileRoute(route, i));
        } catch (err) {
          this.onInvalid(err as FunctionConfigError, policy);
        }
      }
      this.compiled.set(policy, routes);
    }
    return routes;
  }

  match(policy: ZonePolicy, method: string, url: string): CompiledRoute | undefined {
    if (policy.functions.length === 0) return undefined;
    const path = pathOf(url);
    const m = method.toUpperCase();
    for (const r of this.routesFor(policy)) {
      if (r.methods && !r.methods.has(m)) continue;
      if (r.regex.test(path)) return r;
    }
    return undefined;
  }
}
