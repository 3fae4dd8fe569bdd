export const webRoot: string;
export const webDist: string;
export function isWebFresh(): boolean;
export function buildWeb(options?: { quiet?: boolean }): Promise<void>;
export function ensureWebBuilt(options?: { quiet?: boolean }): Promise<void>;
