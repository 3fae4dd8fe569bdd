/**
 * The menu: each screen and the permission it needs (`docs/ACCESS.md`). A screen whose permission the
 * user lacks is not in the menu (and its page says so if reached by address: the API refuses anyway).
 */
export const screens = [
  { path: "/", key: "dashboard", permission: "stats:read" },
  { path: "/people", key: "people", permission: "person:read" },
  { path: "/requests", key: "requests", permission: "request:read" },
  { path: "/cases", key: "cases", permission: "case:read" },
  { path: "/council", key: "council", permission: "decision:read" },
  { path: "/operations", key: "operations", permission: "operation:read" },
  { path: "/handovers", key: "handovers", permission: "handover:read" },
  { path: "/audit", key: "audit", permission: "audit:read" },
  { path: "/notifications", key: "notifications", permission: "notification:read" },
] as const;
