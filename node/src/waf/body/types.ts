/** Output of the request body processors. Every string is a binary string (one char per byte). */
export interface ParsedBody {
  processor: "URLENCODED" | "MULTIPART" | "JSON" | "XML" | "";
  args: Array<[string, string]>;
  files: Array<[string, string]>;
  fileSizes: Array<[string, string]>;
  partHeaders: Array<[string, string]>;
  xml: string[];
  /** Non-empty when the body could not be parsed (REQBODY_ERROR). */
  error: string;
  /** MULTIPART_STRICT_ERROR and its detail flags. */
  multipartStrictError: boolean;
  multipartUnmatchedBoundary: boolean;
}

export interface BodyLimits {
  readonly maxArgs: number;
  readonly jsonDepth: number;
  readonly xmlDepth: number;
}

export function emptyBody(): ParsedBody {
  return {
    processor: "", args: [], files: [], fileSizes: [], partHeaders: [], xml: [], error: "",
    multipartStrictError: false, multipartUnmatchedBoundary: false,
  };
}
