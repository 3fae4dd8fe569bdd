/**
 * The web app, built by Vite into web/dist/ (`npm start` builds it when web/ changed): its files, and
 * its page (index.html) for any other GET of a page, so an address such as /cases/ID opens the app,
 * which draws that screen. Without a build (a checkout where only the API runs), nothing is served.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { appRoot } from "../runtime.ts";

export const webDist = join(appRoot, "web", "dist");

/** Paths that are the API's or the server's, never the app's page. */
const notPages = /^\/(api|auth|health|metrics|docs|openapi\.json)(\/|\?|$)/;

/**
 * The page's policy: its own scripts only, as the API's; styles may be inline, as Mantine sets element
 * styles and its CSS variables that way (a style cannot run code; scripts stay 'self' only).
 */
const pagePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Registers the app's files; answers the page for a GET that no route took, or undefined if not a page. */
export async function registerWebApp(
  app: FastifyInstance,
): Promise<((req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined) | undefined> {
  const index = join(webDist, "index.html");
  if (!existsSync(index)) return undefined;
  const page = readFileSync(index);
  await app.register(fastifyStatic, {
    root: webDist,
    // One route per file, read at start-up: no catch-all route to shadow the API's 404s.
    wildcard: false,
    index: false,
    setHeaders(res, path) {
      // Vite names every asset by its content's hash: cached for good. Anything else: asked again.
      res.header(
        "cache-control",
        path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
      res.header("content-security-policy", pagePolicy);
    },
  });
  return (req, reply) => {
    if (req.method !== "GET" && req.method !== "HEAD") return undefined;
    if (notPages.test(req.url) || !(req.headers.accept ?? "").includes("text/html")) return undefined;
    return reply
      .code(200)
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("content-security-policy", pagePolicy)
      .send(page);
  };
}
