/** Stand-alone runner for the plan command: `node --import tsx src/planner/run-cli.ts plan --input …`. */
import { Command } from "commander";
import { registerPlanCommand } from "./cli.ts";

const program = new Command("traslado");
registerPlanCommand(program);
await program.parseAsync(process.argv);
