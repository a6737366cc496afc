/**
 * The CRS regression environment: the same CRS files the node loads, plus the settings CRS's
 * own test harness applies (UTF-8 validation on, argument limits the tests exercise).
 */
import { loadCrs } from "../../../node/src/waf/crs.js";
import type { Ruleset } from "../../../node/src/waf/ruleset.js";

export const CRS_TEST_SETUP = `
SecAction "id:900005,phase:1,nolog,pass,t:none,\\
  setvar:tx.crs_validate_utf8_encoding=1,\\
  setvar:tx.arg_name_length=100,\\
  setvar:tx.arg_length=400,\\
  setvar:tx.total_arg_length=64000,\\
  setvar:tx.max_num_args=255,\\
  setvar:tx.max_file_size=64100,\\
  setvar:tx.combined_file_sizes=65535"
`;

export function messagesOf(ruleset: Ruleset): Map<number, string> {
  const m = new Map<number, string>();
  for (const list of ruleset.phases) for (const r of list) if (r.rule.actions.msg) m.set(r.id, r.rule.actions.msg);
  return m;
}

export function loadTestCrs(): ReturnType<typeof loadCrs> {
  return loadCrs({ setupExtra: CRS_TEST_SETUP });
}
