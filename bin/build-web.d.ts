export const webRoot: string;
export const webDist: string;
export function isWebFresh(): boolean;
export function keepingEnvironment<T>(fn: () => Promise<T>): Promise<T>;
/** `into`: where the build goes (web/dist/ unless given). */
export function buildWeb(options?: { quiet?: boolean; into?: string }): Promise<void>;
export function ensureWebBuilt(options?: { quiet?: boolean }): Promise<void>;
