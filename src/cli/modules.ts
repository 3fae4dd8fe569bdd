import type { CommandModule } from "./context.ts";

/** Subcommands defined beside their domain (planner, import/export, demo data). */
export const commandModules: CommandModule[] = [];
