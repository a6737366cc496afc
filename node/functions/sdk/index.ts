// AEGIS edge functions guest SDK (AssemblyScript). ABI version 1, see docs/edge-functions.md.
//
// A module exports `on_request(): i32` and/or `on_response(): i32` and returns CONTINUE or
// RESPOND (end early with the response built so far; on_request only).

export const CONTINUE: i32 = 0;
export const RESPOND: i32 = 1;

// Fields addressed by get / set / remove.
const METHOD: i32 = 0;
const URI: i32 = 1;
const REQUEST_HEADER: i32 = 2;
const REQUEST_BODY: i32 = 3;
const REQUEST_HEADER_NAMES: i32 = 4;
const CLIENT_IP: i32 = 5;
const ZONE: i32 = 6;
const RESPONSE_STATUS: i32 = 10;
const RESPONSE_HEADER: i32 = 11;
const RESPONSE_BODY: i32 = 12;
const RESPONSE_HEADER_NAMES: i32 = 13;

// Negative host results.
export const ERR_ABSENT: i32 = -1;
export const ERR_NOT_ALLOWED: i32 = -2;
export const ERR_TIMEOUT: i32 = -3;
export const ERR_NETWORK: i32 = -4;
export const ERR_LIMIT: i32 = -5;
export const ERR_BAD_ARGUMENT: i32 = -6;
export const ERR_WRONG_PHASE: i32 = -7;

@external("aegis", "get")
declare function host_get(field: i32, namePtr: usize, nameLen: i32): i32;
@external("aegis", "read")
declare function host_read(ptr: usize, len: i32): i32;
@external("aegis", "result_len")
declare function host_result_len(): i32;
@external("aegis", "set")
declare function host_set(field: i32, namePtr: usize, nameLen: i32, valuePtr: usize, valueLen: i32): i32;
@external("aegis", "remove")
declare function host_remove(field: i32, namePtr: usize, nameLen: i32): i32;
@external("aegis", "set_status")
declare function host_set_status(status: i32): i32;
@external("aegis", "cache_get")
declare function host_cache_get(keyPtr: usize, keyLen: i32): i32;
@external("aegis", "cache_set")
declare function host_cache_set(keyPtr: usize, keyLen: i32, valuePtr: usize, valueLen: i32, ttlSecs: i32): i32;
@external("aegis", "fetch")
declare function host_fetch(methodPtr: usize, methodLen: i32, urlPtr: usize, urlLen: i32, bodyPtr: usize, bodyLen: i32): i32;
@external("aegis", "log")
declare function host_log(level: i32, ptr: usize, len: i32): void;

function take(len: i32): ArrayBuffer {
  const buf = new ArrayBuffer(len);
  if (len > 0) host_read(changetype<usize>(buf), len);
  return buf;
}

function getBytes(field: i32, name: string): ArrayBuffer | null {
  const n = String.UTF8.encode(name);
  const len = host_get(field, changetype<usize>(n), n.byteLength);
  if (len < 0) return null;
  return take(len);
}

function getText(field: i32, name: string): string | null {
  const b = getBytes(field, name);
  if (b === null) return null;
  return String.UTF8.decode(b);
}

function setText(field: i32, name: string, value: string): i32 {
  const n = String.UTF8.encode(name);
  const v = String.UTF8.encode(value);
  return host_set(field, changetype<usize>(n), n.byteLength, changetype<usize>(v), v.byteLength);
}

function setBytes(field: i32, value: ArrayBuffer): i32 {
  return host_set(field, 0, 0, changetype<usize>(value), value.byteLength);
}

function removeField(field: i32, name: string): i32 {
  const n = String.UTF8.encode(name);
  return host_remove(field, changetype<usize>(n), n.byteLength);
}

function splitLines(s: string | null): string[] {
  if (s === null || s.length == 0) return [];
  return s.split("\n");
}

/** The client's request (as forwarded to the origin: changes here reach the origin). */
export namespace Request {
  export function method(): string {
    return getText(METHOD, "")!;
  }
  /** Path and query as received. */
  export function uri(): string {
    return getText(URI, "")!;
  }
  /** Path without the query. */
  export function path(): string {
    const u = uri();
    const q = u.indexOf("?");
    return q < 0 ? u : u.substring(0, q);
  }
  export function header(name: string): string | null {
    return getText(REQUEST_HEADER, name);
  }
  export function headerNames(): string[] {
    return splitLines(getText(REQUEST_HEADER_NAMES, ""));
  }
  export function setHeader(name: string, value: string): i32 {
    return setText(REQUEST_HEADER, name, value);
  }
  export function removeHeader(name: string): i32 {
    return removeField(REQUEST_HEADER, name);
  }
  export function body(): ArrayBuffer {
    return getBytes(REQUEST_BODY, "")!;
  }
  export function bodyText(): string {
    return String.UTF8.decode(body());
  }
  export function setBody(body: ArrayBuffer): i32 {
    return setBytes(REQUEST_BODY, body);
  }
  export function setBodyText(body: string): i32 {
    return setBytes(REQUEST_BODY, String.UTF8.encode(body));
  }
  export function clientIp(): string {
    return getText(CLIENT_IP, "")!;
  }
  export function zone(): string {
    return getText(ZONE, "")!;
  }
}

/**
 * The response. In on_request: what the client gets if the module returns RESPOND, and header
 * edits applied to the origin's answer otherwise. In on_response: the origin's (or cache's) answer.
 */
export namespace Response {
  export function status(): i32 {
    const s = getText(RESPONSE_STATUS, "");
    return s === null ? 0 : I32.parseInt(s);
  }
  export function setStatus(status: i32): i32 {
    return host_set_status(status);
  }
  export function header(name: string): string | null {
    return getText(RESPONSE_HEADER, name);
  }
  export function headerNames(): string[] {
    return splitLines(getText(RESPONSE_HEADER_NAMES, ""));
  }
  export function setHeader(name: string, value: string): i32 {
    return setText(RESPONSE_HEADER, name, value);
  }
  export function removeHeader(name: string): i32 {
    return removeField(RESPONSE_HEADER, name);
  }
  export function body(): ArrayBuffer {
    return getBytes(RESPONSE_BODY, "")!;
  }
  export function bodyText(): string {
    return String.UTF8.decode(body());
  }
  export function setBody(body: ArrayBuffer): i32 {
    return setBytes(RESPONSE_BODY, body);
  }
  export function setBodyText(body: string): i32 {
    return setBytes(RESPONSE_BODY, String.UTF8.encode(body));
  }
}

/** Zone-scoped key/value cache shared by every module of the zone on this node. */
export namespace Cache {
  export function get(key: string): ArrayBuffer | null {
    const k = String.UTF8.encode(key);
    const len = host_cache_get(changetype<usize>(k), k.byteLength);
    if (len < 0) return null;
    return take(len);
  }
  export function getText(key: string): string | null {
    const b = get(key);
    return b === null ? null : String.UTF8.decode(b);
  }
  /** ttlSecs 0 = the node's maximum. */
  export function set(key: string, value: ArrayBuffer, ttlSecs: i32 = 0): i32 {
    const k = String.UTF8.encode(key);
    return host_cache_set(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength, ttlSecs);
  }
  export function setText(key: string, value: string, ttlSecs: i32 = 0): i32 {
    return set(key, String.UTF8.encode(value), ttlSecs);
  }
}

export class FetchResult {
  constructor(
    /** HTTP status, or one of the negative ERR_ codes. */
    public status: i32,
    public body: ArrayBuffer,
  ) {}
  get ok(): bool {
    return this.status >= 200 && this.status < 300;
  }
  text(): string {
    return String.UTF8.decode(this.body);
  }
}

/** Outbound HTTP to a host on the route's allow-list, under the route's time limit. */
export function fetch(url: string, method: string = "GET", body: ArrayBuffer | null = null): FetchResult {
  const m = String.UTF8.encode(method);
  const u = String.UTF8.encode(url);
  const bodyPtr: usize = body === null ? 0 : changetype<usize>(body);
  const bodyLen: i32 = body === null ? 0 : body.byteLength;
  const status = host_fetch(changetype<usize>(m), m.byteLength, changetype<usize>(u), u.byteLength, bodyPtr, bodyLen);
  return new FetchResult(status, status < 0 ? new ArrayBuffer(0) : take(host_result_len()));
}

export namespace Log {
  function write(level: i32, msg: string): void {
    const b = String.UTF8.encode(msg);
    host_log(level, changetype<usize>(b), b.byteLength);
  }
  export function debug(msg: string): void {
    write(0, msg);
  }
  export function info(msg: string): void {
    write(1, msg);
  }
  export function warn(msg: string): void {
    write(2, msg);
  }
  export function error(msg: string): void {
    write(3, msg);
  }
}
