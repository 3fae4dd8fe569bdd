import { z } from "zod";
import { ZParty, ZUuid } from "../http/schemas.ts";
import { PASSWORD_MAX } from "./passwords.ts";
import { roles } from "./roles.ts";

/**
 * Text that PostgreSQL stores as sent: no control characters (a NUL byte is refused by PostgreSQL itself)
 * and no lone surrogates.
 */
const plain = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min, "required")
    .max(max)
    .refine((v) => !/\p{Cc}/u.test(v), "no control characters")
    .refine(
      (v) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v),
      "no lone surrogates",
    );

/** The roles a person may hold (`system` is the deadline clock's). */
export const ZRole = z.enum(roles);
export const ZPersonRole = z.enum(roles).refine((r) => r !== "system", "system is not a person's role");

export const ZUsername = z
  .string()
  .trim()
  .min(1, "required")
  .max(100)
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only");

const ZCode = z
  .string()
  .regex(/^\d{6}$/, "six digits")
  .meta({ maxLength: 6 });

export const ZSignIn = z.strictObject({
  username: plain(200),
  password: z.string().min(1, "required").max(PASSWORD_MAX),
  /** Required when the account holds several roles. */
  role: ZRole.optional(),
  /** The code of the authenticator app, when the account has a TOTP. */
  totp: ZCode.optional(),
});

export const ZChangePassword = z.strictObject({
  currentPassword: z.string().min(1, "required").max(PASSWORD_MAX),
  newPassword: z.string().min(1, "required").max(PASSWORD_MAX),
});

export const ZTotpConfirm = z.strictObject({ code: ZCode });

const ZUser = z
  .object({
    id: z.string().max(40),
    username: z.string().max(200),
    displayName: z.string().max(200),
    party: z.string().max(10),
    agencyId: z.string().max(40).nullable(),
  })
  .meta({ id: "SessionUser" });

export const ZSessionAnswer = z
  .object({
    user: ZUser,
    role: ZRole,
    party: z.string().max(10),
    /** Send it as `X-CSRF-Token` with every write made with the session cookie. */
    csrfToken: z.string().max(100),
    secondFactor: z.boolean(),
    expiresAt: z.string().max(40),
    idleExpiresAt: z.string().max(40),
    permissions: z.array(z.string().max(60)).max(200),
  })
  .meta({ id: "Session" });

export const ZTotpEnrolment = z
  .object({
    uri: z.string().max(1000),
    secret: z.string().max(100),
  })
  .meta({ id: "TotpEnrolment" });

export const ZOk = z.object({ ok: z.literal(true) }).meta({ id: "Ok" });

// Administration

export const ZCreateAgency = z.strictObject({ name: plain(200) });
export const ZAgency = z
  .object({
    id: z.string().max(40),
    party: z.string().max(10),
    name: z.string().max(200),
    version: z.number().int(),
  })
  .meta({ id: "Agency" });

export const ZCreateUser = z.strictObject({
  username: ZUsername,
  displayName: plain(200),
  agencyId: ZUuid,
  roles: z.array(ZPersonRole).min(1, "at least one role").max(20),
  /** The subject at the OpenID Connect provider, for a user who signs in there. */
  oidcSubject: plain(255).optional(),
  /** No password (a user who signs in only at the OpenID Connect provider). */
  noPassword: z.boolean().optional(),
});

export const ZUserSummary = z
  .object({
    id: z.string().max(40),
    party: z.string().max(10),
    agencyId: z.string().max(40).nullable(),
    username: z.string().max(200),
    displayName: z.string().max(200),
    roles: z.array(z.string().max(40)).max(20),
    oidcSubject: z.string().max(255).nullable(),
    disabledAt: z.string().max(40).nullable(),
    version: z.number().int(),
  })
  .meta({ id: "User" });

export const ZUserWithPassword = z
  .object({
    user: ZUserSummary,
    /** Generated, shown this once; null for a user without a password. */
    password: z.string().max(200).nullable(),
  })
  .meta({ id: "UserWithPassword" });

export const ZListUsers = z.strictObject({ agencyId: ZUuid.optional() });
export const ZGrantRole = z.strictObject({ role: ZPersonRole });
export const ZRoleParams = z.object({ id: ZUuid, role: ZRole });

export const ZSessionSummary = z
  .object({
    id: z.string().max(40),
    userId: z.string().max(40),
    username: z.string().max(200),
    party: z.string().max(10),
    role: z.string().max(40),
    secondFactor: z.boolean(),
    createdAt: z.string().max(40),
    lastSeenAt: z.string().max(40),
    expiresAt: z.string().max(40),
    revokedAt: z.string().max(40).nullable(),
    active: z.boolean(),
    address: z.string().max(100).nullable(),
    userAgent: z.string().max(500).nullable(),
  })
  .meta({ id: "SessionSummary" });

export const ZListSessions = z.strictObject({
  userId: ZUuid.optional(),
  active: z.enum(["true", "false"]).optional(),
});

export const ZCreateToken = z.strictObject({
  /** Who or what acts with it, e.g. "Case-management bridge". */
  name: plain(200),
  role: ZRole,
  /** The user it acts as (one of their roles); none for a system account's token. */
  userId: ZUuid.optional(),
  expiresAt: z.iso.datetime({ offset: true }).meta({ maxLength: 40 }).optional(),
});

export const ZTokenSummary = z
  .object({
    id: z.string().max(40),
    name: z.string().max(200),
    party: z.string().max(10),
    role: z.string().max(40),
    userId: z.string().max(40).nullable(),
    createdAt: z.string().max(40),
    expiresAt: z.string().max(40).nullable(),
    revokedAt: z.string().max(40).nullable(),
  })
  .meta({ id: "Token" });

export const ZCreatedToken = z
  .object({
    id: z.string().max(40),
    /** Shown this once. */
    token: z.string().max(100),
    name: z.string().max(200),
    party: ZParty,
    role: z.string().max(40),
  })
  .meta({ id: "CreatedToken" });
