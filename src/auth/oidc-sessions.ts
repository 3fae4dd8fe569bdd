/**
 * What the OpenID Connect routes (`oidc.ts`) need from the rest of the application: the user of a
 * provider's subject, a session opened through the one session store (`sessions.open`) with its cookie,
 * and refusals in the audit chain (the session store notes a success itself).
 */
import type { Services } from "../services.ts";
import { sessionTokenOf, setSessionCookie } from "./http.ts";
import type { OidcConfig, OidcDeps } from "./oidc.ts";
import type { Role } from "./roles.ts";

export function oidcDeps(s: Services, config: OidcConfig): OidcDeps {
  const settings = s.sessions.settings;
  return {
    config,
    findUser: (subject) => s.admin.userForOidcSubject(subject),
    async openSession(args, reply) {
      const role = args.role as Role;
      const opened = await s.sessions.open({
        userId: args.userId,
        role,
        // The provider's second factor counts; a role outside the policy needs none. Otherwise the session
        // is limited until a TOTP code is given (POST /auth/totp/verify, or enrolment).
        secondFactor: args.secondFactor || !settings.totpRequiredRoles.includes(role),
        address: args.address,
        userAgent: args.userAgent,
        replaces: sessionTokenOf(reply.request, settings),
        method: "oidc",
      });
      setSessionCookie(reply, opened, settings);
      return { expiresAt: opened.expiresAt };
    },
    async audit(event) {
      if (event.kind === "sign_in.failed")
        await s.signIn.noteFailure({ userId: event.userId, reason: event.reason, method: "oidc" });
    },
  };
}
