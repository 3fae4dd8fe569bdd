import { existsSync } from "node:fs";

/** Debian's Chromium (`apt-get install chromium`); the browser tests are skipped without it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);
