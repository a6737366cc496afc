/** `aegis node register|update|activate|deactivate|status` (registry + staking). */
import type { Command } from "commander";
import type { PublicKey } from "@solana/web3.js";
import { CAPABILITIES_ALL, Capability, MAX_METADATA_CID_LEN, MAX_REGION_LEN, nodeKey, registry, stakeKey, staking, stakingConfigKey } from "../../../sdk/src/index.js";
import { formatAegis } from "../amount.js";
import { chainTime, isoTime, resolveNode, variantName, type NodeSelector } from "../chain.js";
import type { Context } from "../context.js";
import { refused, usageError } from "../errors.js";
import { loadKeypair, parsePubkey } from "../keypair.js";
import { table } from "../output.js";
import { run } from "../run.js";

const CAP_NAMES: Record<string, number> = { cache: Capability.Cache, waf: Capability.Waf, xdp: Capability.Xdp, functions: Capability.EdgeFunctions, tls: Capability.Tls };

export function parseCapabilities(text: string): number {
  if (text === "all") return CAPABILITIES_ALL;
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n & ~CAPABILITIES_ALL) throw usageError(`capabilities ${n} has bits outside ${CAPABILITIES_ALL}`);
    return n;
  }
  return text.split(",").reduce((acc, name) => {
    const bit = CAP_NAMES[name.trim()];
    if (bit === undefined) throw usageError(`unknown capability "${name}"`, `use ${Object.keys(CAP_NAMES).join(", ")}, all, or a number`);
    return acc | bit;
  }, 0);
}

const capNames = (bits: number) => Object.entries(CAP_NAMES).filter(([, b]) => bits & b).map(([n]) => n).join(",") || "none";

function checkFields(o: { region?: string; metadataCid?: string }) {
  if (o.region !== undefined && (o.region.length < 1 || Buffer.byteLength(o.region) > MAX_REGION_LEN)) throw usageError(`--region must be 1..${MAX_REGION_LEN} bytes`);
  if (o.metadataCid !== undefined && (o.metadataCid.length < 1 || Buffer.byteLength(o.metadataCid) > MAX_METADATA_CID_LEN)) throw usageError(`--metadata-cid must be 1..${MAX_METADATA_CID_LEN} bytes`);
}

export async function nodeSummary(ctx: Context, address: PublicKey, account: Awaited<ReturnType<typeof resolveNode>>["account"]) {
  const stake = await ctx.staking(true).account.stakeV0.fetchNullable(stakeKey(account.operator)[0]);
  const auto = (account as unknown as { autoClaim?: boolean }).autoClaim;
  return {
    node: address,
    identity: account.identity,
    operator: account.operator,
    status: variantName(account.status as Record<string, unknown>),
    reputation: account.reputation,
    region: account.region,
    metadataCid: account.metadataCid,
    capabilities: capNames(account.capabilities),
    rewardDestination: account.rewardDestination,
    ...(auto === undefined ? {} : { autoClaim: auto }),
    registeredAt: isoTime(account.registeredAt.toNumber()),
    stake: stake
      ? {
          bonded: formatAegis(stake.amount),
          pendingUnstake: formatAegis(stake.pendingUnstake),
          unstakeReadyAt: isoTime(stake.unstakeReadyAt.toNumber()),
          bondedNodes: stake.bondedNodes,
          pendingSlashes: stake.pendingSlashes,
        }
      : null,
  };
}

export function registerNodeCommands(program: Command, ctx: () => Context): void {
  const node = program.command("node").description("register and manage your edge node (operator)");

  node
    .command("register")
    .description("register a node: the operator wallet (--keypair) and the node's identity key sign")
    .requiredOption("--identity <file>", "the node's identity keypair file (node data dir identity.json)")
    .option("--region <code>", "region code, e.g. eu-west", "global")
    .option("--metadata-cid <cid>", "CID of the node's metadata JSON", "none")
    .option("--capabilities <list>", "cache,waf,xdp,functions,tls | all | bitmask", "all")
    .action(
      run(ctx, async (c, o: { identity: string; region: string; metadataCid: string; capabilities: string }) => {
        checkFields(o);
        const capabilities = parseCapabilities(o.capabilities);
        const identity = loadKeypair(o.identity);
        const operator = c.walletKey;
        const [address] = nodeKey(identity.publicKey);
        if (await c.registry(true).account.nodeV0.fetchNullable(address)) {
          throw refused(`identity ${identity.publicKey.toBase58()} is already registered as node ${address.toBase58()}`, "use `aegis node update`, or a new identity key");
        }
        const sig = await c.out.wait("registering node", () =>
          registry.registerNode(c.registry(), { operator, identity: identity.publicKey, metadataCid: o.metadataCid, region: o.region, capabilities }).signers([identity]).rpc(),
        );
        c.out.result({ node: address, identity: identity.publicKey, operator, status: "Registered", signature: sig }, (d) => [
          `node ${d.node.toBase58()} registered (status Registered)`,
          `next: aegis stake <amount> --activate   (min stake applies)`,
        ]);
      }),
    );

  node
    .command("update")
    .description("change the node's region, metadata or capabilities (operator only)")
    .option("--node <address>", "NodeV0 address")
    .option("--identity <key|file>", "the node's identity public key or keypair file")
    .option("--region <code>")
    .option("--metadata-cid <cid>")
    .option("--capabilities <list>")
    .action(
      run(ctx, async (c, o: NodeSelector & { region?: string; metadataCid?: string; capabilities?: string }) => {
        checkFields(o);
        const { address } = await resolveNode(c, o);
        if (o.region === undefined && o.metadataCid === undefined && o.capabilities === undefined) throw usageError("nothing to update: pass --region, --metadata-cid or --capabilities");
        const sig = await c.out.wait("updating node", () =>
          registry
            .updateNode(c.registry(), {
              operator: c.walletKey,
              node: address,
              ...(o.region !== undefined ? { region: o.region } : {}),
              ...(o.metadataCid !== undefined ? { metadataCid: o.metadataCid } : {}),
              ...(o.capabilities !== undefined ? { capabilities: parseCapabilities(o.capabilities) } : {}),
            })
            .rpc(),
        );
        const account = await c.registry(true).account.nodeV0.fetch(address);
        const summary = await nodeSummary(c, address, account);
        c.out.result({ ...summary, signature: sig }, (d) => [`node ${d.node.toBase58()} updated`, ...table([["region", d.region], ["capabilities", d.capabilities], ["metadata", d.metadataCid]])]);
      }),
    );

  node
    .command("activate")
    .description("bond the node with your stake: Registered | Jailed → Active")
    .option("--node <address>")
    .option("--identity <key|file>")
    .action(
      run(ctx, async (c, o: NodeSelector) => {
        const { address } = await resolveNode(c, o);
        const sig = await c.out.wait("activating node", () => staking.activateNode(c.staking(), { operator: c.walletKey, node: address }).rpc());
        c.out.result({ node: address, status: "Active", signature: sig }, (d) => `node ${d.node.toBase58()} is Active`);
      }),
    );

  node
    .command("deactivate")
    .description("take the node out of service: Registered → Exited; Active/Jailed → Exiting; Exiting → Exited after the cooldown")
    .option("--node <address>")
    .option("--identity <key|file>")
    .action(
      run(ctx, async (c, o: NodeSelector) => {
        const { address, account } = await resolveNode(c, o);
        const status = variantName(account.status as Record<string, unknown>);
        if (!account.operator.equals(c.walletKey)) {
          throw refused(`node ${address.toBase58()} belongs to operator ${account.operator.toBase58()}, not to ${c.walletKey.toBase58()}`, "pass --keypair with the operator's key");
        }
        const operator = c.walletKey;
        let sig: string;
        let next: string;
        let note = "";
        if (status === "Registered") {
          sig = await c.out.wait("deactivating node", () => registry.deactivateNode(c.registry(), { operator, node: address }).rpc());
          next = "Exited";
        } else if (status === "Active" || status === "Jailed") {
          sig = await c.out.wait("beginning exit", () => staking.beginExit(c.staking(), { operator, node: address }).rpc());
          next = "Exiting";
          const cfg = await c.staking(true).account.stakingConfigV0.fetch(stakingConfigKey()[0]);
          note = `run \`aegis node deactivate\` again after ${isoTime((await chainTime(c)) + cfg.cooldownSecs.toNumber())} to complete the exit`;
        } else if (status === "Exiting") {
          sig = await c.out.wait("completing exit", () => staking.completeExit(c.staking(), { operator, node: address }).rpc());
          next = "Exited";
        } else {
          throw refused(`node ${address.toBase58()} is already ${status}`);
        }
        c.out.result({ node: address, from: status, status: next, signature: sig, ...(note ? { note } : {}) }, (d) => [`node ${d.node.toBase58()}: ${d.from} → ${d.status}`, ...(note ? [note] : [])]);
      }),
    );

  node
    .command("status")
    .description("show a node (default: your only node)")
    .option("--node <address>")
    .option("--identity <key|file>")
    .option("--operator <address>", "list this operator's node instead of the wallet's")
    .action(
      run(ctx, async (c, o: NodeSelector & { operator?: string }) => {
        const { address, account } = await c.out.wait("reading node", () => resolveNode(c, o, o.operator ? parsePubkey(o.operator, "--operator") : undefined));
        const s = await nodeSummary(c, address, account);
        c.out.result(s, (d) =>
          table([
            ["node", d.node.toBase58()],
            ["status", d.status],
            ["identity", d.identity.toBase58()],
            ["operator", d.operator.toBase58()],
            ["reputation", `${d.reputation} / 10000`],
            ["region", d.region],
            ["capabilities", d.capabilities],
            ["reward destination", d.rewardDestination.toBase58()],
            ...(d.autoClaim === undefined ? [] : ([["auto-claim", d.autoClaim ? "on" : "off"]] as Array<[string, unknown]>)),
            ["stake (bonded)", d.stake ? `${d.stake.bonded} AEGIS` : "none"],
            ["unstaking", d.stake ? `${d.stake.pendingUnstake} AEGIS (ready ${d.stake.unstakeReadyAt})` : "-"],
            ["pending slashes", d.stake?.pendingSlashes ?? 0],
          ]),
        );
      }),
    );
}
