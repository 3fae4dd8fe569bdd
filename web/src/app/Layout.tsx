import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Outlet, useLocation } from "react-router";
import { sessionKey, signOut, useSession } from "../api/session.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { screens } from "./nav.ts";
import { useUnreadNotifications } from "./unread.ts";

/** The frame of every signed-in screen: header, the menu of what the user may see, the screen. */
export function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const location = useLocation();
  const [opened, { toggle }] = useDisclosure();
  const unread = useUnreadNotifications(!!session.current?.secondFactor && session.can("notification:read"));
  if (session.loading)
    return (
      <QueryState query={{ isPending: true, error: null, data: undefined, refetch: () => {} }}>
        {() => null}
      </QueryState>
    );
  const current = session.current;
  if (!current?.secondFactor) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  const shown = screens.filter((s) => session.can(s.permission));
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.main")} />
            <Title order={1} size="h3">
              {t("app.name")}
            </Title>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <Text size="sm" visibleFrom="md" data-testid="signed-in-as">
              {t("session.signedInAs", {
                name: current.user.displayName,
                role: t(`roles.${current.role}`),
                party: t(`states.${current.party}`, { defaultValue: current.party }),
              })}
            </Text>
            <LanguageSwitch />
            <Button
              variant="default"
              size="xs"
              onClick={async () => {
                await signOut().catch(() => undefined);
                // Nothing read under the session stays in memory; the frame then shows the sign-in.
                client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
                client.setQueryData(sessionKey, null);
              }}
            >
              {t("session.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t("nav.main")}>
        <Stack gap={2}>
          {shown.map((s) => (
            <NavLink
              key={s.path}
              component={Link}
              to={s.path}
              label={t(`nav.${s.key}`)}
              rightSection={
                s.key === "notifications" && unread > 0 ? (
                  <>
                    <Badge size="sm" color="red" circle aria-hidden>
                      {unread}
                    </Badge>
                    <VisuallyHidden>{t("nav.unread", { count: unread })}</VisuallyHidden>
                  </>
                ) : undefined
              }
              variant="filled"
              active={s.path === "/" ? location.pathname === "/" : location.pathname.startsWith(s.path)}
            />
          ))}
          <NavLink component={Link} to="/public" label={t("nav.public")} />
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={
            <QueryState query={{ isPending: true, error: null, data: undefined, refetch: () => {} }}>
              {() => null}
            </QueryState>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
