/** The planner's public surface: what the API, the CLI and the web app import. */

export type { BppcInstance, BppcOptions, BppcSolution } from "./bppc.ts";
export { checkBppc, parseBppc, solveBppc, solveBppcFfd } from "./bppc.ts";
export { checkPlan, movePerson, planFromAssignment } from "./check.ts";
export { parsePlanInput } from "./compile.ts";
export { manifestText } from "./manifest.ts";
export { type ManifestPrint, manifestPdf, ZManifestFacts } from "./manifest-pdf.ts";
export * from "./model.ts";
export { applyChange, replan } from "./replan.ts";
export { operationBounds, plan } from "./solve.ts";
