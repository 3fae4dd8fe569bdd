import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";

/** The key under which every read of the caller's notifications is kept (the list and the menu's count). */
export const notificationsKey = ["notifications"] as const;

/** The caller's unread notifications, for the menu's badge (one item asked for: the answer carries the count). */
export function useUnreadNotifications(enabled: boolean) {
  const count = useQuery({
    queryKey: [...notificationsKey, "unread-count"],
    queryFn: () => unwrap(api.GET("/api/notifications", { params: { query: { limit: 1, unread: "true" } } })),
    enabled,
    refetchInterval: 60_000,
  });
  return count.data?.unread ?? 0;
}
