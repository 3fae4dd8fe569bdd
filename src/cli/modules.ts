import { registerAccessCommands } from "../auth/cli.ts";
import { registerHistoryCommand } from "../corrections/cli.ts";
import { registerDocumentCommands } from "../documents/cli.ts";
import { registerNotificationCommands } from "../notifications/cli.ts";
import { registerPeopleCommands } from "../people/cli.ts";
import { registerPlanCommand } from "../planner/cli.ts";
import { registerTransferCommands } from "../requests/transfer-cli.ts";
import { registerSeedCommand } from "../seed/cli.ts";
import type { CommandModule } from "./context.ts";

/** Subcommands defined beside their domain: demo data, import/export, the operation planner, accounts. */
export const commandModules: CommandModule[] = [
  registerSeedCommand,
  registerTransferCommands,
  registerPlanCommand,
  registerAccessCommands,
  registerNotificationCommands,
  registerHistoryCommand,
  registerDocumentCommands,
  registerPeopleCommands,
];
