/** `aegis gov …` — filled in below. */
import type { Command } from "commander";
import type { Context } from "../context.js";

export function registerGovCommands(_program: Command, _ctx: () => Context): void {}
