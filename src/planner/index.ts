/**
 * The planner's public surface: what the API, the CLI and the web app import. The printed manifests
 * (`manifestPdf`, manifest-pdf.ts) are imported on their own, when printed: they bring PDFKit, a font and a map.
 */

export type { BppcInstance, BppcOptions, BppcSolution } from "./bppc.ts";
export { checkBppc, parseBppc, solveBppc, solveBppcFfd } from "./bppc.ts";
export { checkPlan, movePerson, planFromAssignment } from "./check.ts";
export { parsePlanInput } from "./compile.ts";
export { type ManifestFacts, manifestText, ZManifestFacts } from "./manifest.ts";
export * from "./model.ts";
export { applyChange, replan } from "./replan.ts";
export { operationBounds, plan } from "./solve.ts";
