/**
 * Who is signed in: the session from GET /auth/session (user, role, party, permissions, CSRF token). The
 * menus and the actions a screen offers ask `can(permission)`: the same permission table that the server
 * enforces (`docs/ACCESS.md`), so an action the user may not take is not offered.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useMemo } from "react";
import { ApiError, api, onUnauthenticated, setCsrfToken, unwrap } from "./client.ts";

type SessionAnswer = Awaited<ReturnType<typeof fetchSession>>;

async function fetchSession() {
  try {
    const s = await unwrap(api.GET("/auth/session"));
    setCsrfToken(s.csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw e;
  }
}

export interface Session {
  /** Null while signed out. */
  current: NonNullable<SessionAnswer> | null;
  loading: boolean;
  can: (permission: string) => boolean;
  /** Reloads the session (after sign-in, sign-out, or a 401). */
  refresh: () => Promise<unknown>;
}

const SessionContext = createContext<Session | null>(null);
export const sessionKey = ["session"] as const;

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 60_000, retry: false });
  useEffect(
    () =>
      onUnauthenticated(() => {
        void client.invalidateQueries({ queryKey: sessionKey });
      }),
    [client],
  );
  const value = useMemo<Session>(() => {
    const current = query.data ?? null;
    const granted = new Set(current?.permissions ?? []);
    return {
      current,
      loading: query.isPending,
      can: (p) => granted.has(p),
      refresh: () => client.invalidateQueries({ queryKey: sessionKey }),
    };
  }, [query.data, query.isPending, client]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

export async function signIn(body: { username: string; password: string; totp?: string }) {
  const s = await unwrap(api.POST("/auth/sign-in", { body }));
  setCsrfToken(s.csrfToken);
  return s;
}

export async function signOut() {
  await unwrap(api.POST("/auth/sign-out"));
  setCsrfToken(undefined);
}
