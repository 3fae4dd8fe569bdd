import { Anchor, Badge, Button, Group, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import type { components } from "../../api/schema";
import { notificationsKey } from "../../app/unread.ts";
import { PagedTable } from "../../components/PagedTable.tsx";
import { RefusalAlert } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("notifications", strings);

type Notification = components["schemas"]["Notification"];

/** The caller's own notifications, newest first: unread ones in bold, each marked read or unread here. */
export default function NotificationsPage() {
  const { t } = useTranslation("notifications");
  const f = useFormat();
  const term = useTerm();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get("unread") === "true";
  const list = useInfiniteQuery({
    queryKey: [...notificationsKey, "list", { unreadOnly }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/notifications", {
          params: {
            query: {
              limit: 50,
              ...(unreadOnly ? { unread: "true" as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const refresh = () => client.invalidateQueries({ queryKey: notificationsKey });
  const mark = useMutation({
    mutationFn: ({ id, read }: { id: string; read: boolean }) =>
      unwrap(
        read
          ? api.POST("/api/notifications/{id}/read", { params: { path: { id } } })
          : api.POST("/api/notifications/{id}/unread", { params: { path: { id } } }),
      ),
    onSettled: refresh,
  });
  const markAll = useMutation({
    mutationFn: () => unwrap(api.POST("/api/notifications/read-all")),
    onSettled: refresh,
  });
  const unread = list.data?.pages[0]?.unread ?? 0;
  const describe = (n: Notification) => {
    const deadline = term("deadline", n.deadline.kind);
    const due = f.date(n.deadline.dueOn);
    if (n.kind === "lapse") return t("lapse", { deadline, due });
    if (!n.leadDays) return t("reminderToday", { deadline, due });
    return t("reminder", { deadline, due, count: n.leadDays });
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t("title")}</Title>
          {list.data && (
            <Badge color={unread > 0 ? "red" : "gray"} aria-live="polite">
              {t("unreadCount", { count: unread })}
            </Badge>
          )}
        </Group>
        <Group>
          <Switch
            label={t("unreadOnly")}
            checked={unreadOnly}
            onChange={(e) => setParams(e.currentTarget.checked ? { unread: "true" } : {})}
          />
          <Button onClick={() => markAll.mutate()} loading={markAll.isPending} disabled={unread === 0}>
            {t("markAllRead")}
          </Button>
        </Group>
      </Group>
      <RefusalAlert error={mark.error ?? markAll.error} />
      <PagedTable
        query={list}
        headers={[t("received"), t("notice"), t("person"), t("actions")]}
        rowKey={(n) => n.id}
        empty={unreadOnly ? t("noneUnread") : t("none")}
        more={t("more")}
        cells={(n) => {
          const isUnread = n.readAt === null;
          const what = describe(n);
          return (
            <>
              <Table.Td>{f.dateTime(n.createdAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  {isUnread && (
                    <Badge size="sm" color="red" variant="light">
                      {t("unread")}
                    </Badge>
                  )}
                  <Anchor component={Link} to={`/cases/${n.case.id}`} fw={isUnread ? 700 : 400}>
                    {what}
                  </Anchor>
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={isUnread ? 700 : 400}>
                  {n.person.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="outline"
                  aria-label={isUnread ? t("markReadOf", { what }) : t("markUnreadOf", { what })}
                  loading={mark.isPending && mark.variables?.id === n.id}
                  onClick={() => mark.mutate({ id: n.id, read: isUnread })}
                >
                  {isUnread ? t("markRead") : t("markUnread")}
                </Button>
              </Table.Td>
            </>
          );
        }}
      />
    </Stack>
  );
}
