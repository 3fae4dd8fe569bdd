/**
 * One traced solve in a new process (`tracedSolve`), as `traslado plan --bppc` runs it: HiGHS loaded
 * before the clock starts. Arguments: FILE SEED TIME_LIMIT_MS; prints the trace as JSON.
 */
import { readFileSync } from "node:fs";
import { parseBppc } from "../../src/planner/bppc.ts";
import { loadHighs } from "../../src/planner/highs-load.ts";
import { tracedSolve } from "./trace.ts";

const [file, seed, timeLimitMs] = process.argv.slice(2);
const inst = parseBppc(readFileSync(file!, "utf8"));
const highs = await loadHighs();
process.stdout.write(`${JSON.stringify(tracedSolve(inst, highs, Number(seed), Number(timeLimitMs)))}\n`);
