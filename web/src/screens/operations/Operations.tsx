import { Alert, Anchor, Badge, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { QueryState } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { NewOperation } from "./NewOperation.tsx";
import { strings } from "./strings.ts";

addStrings("operations", strings);

/** Dark shades, so that the badge's white text is readable. */
export const statusColor: Record<string, string> = {
  planning: "indigo.9",
  planned: "blue.9",
  ready: "teal.9",
  "in-transit": "grape.9",
  completed: "gray.7",
  cancelled: "red.9",
};

export const operationKey = (id: string) => ["operation", id] as const;
export const fetchOperation = (id: string) =>
  unwrap(api.GET("/api/operations/{id}", { params: { path: { id } } }));

/** What a user whose role may not read operations sees at their address (the menu does not offer them). */
export function RequireOperations({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  if (!useSession().can("operation:read"))
    return (
      <Alert color="red" role="alert">
        {t("errors.ACTOR_NOT_PERMITTED")}
      </Alert>
    );
  return <>{children}</>;
}

export default function Operations() {
  return (
    <RequireOperations>
      <OperationList />
    </RequireOperations>
  );
}

/** The operations, newest first: code, date, status, people and aircraft. */
function OperationList() {
  const { t } = useTranslation("operations");
  const term = useTerm();
  const f = useFormat();
  const list = useQuery({
    queryKey: ["operations", "all"],
    queryFn: () => unwrap(api.GET("/api/operations", { params: { query: { limit: 500 } } })),
  });
  const items = [...(list.data?.items ?? [])].sort((a, b) => b.operationDate.localeCompare(a.operationDate));
  // The people and aircraft of each: the operation's file (a handful of operations a year).
  const files = useQueries({
    queries: items.map((o) => ({ queryKey: operationKey(o.id), queryFn: () => fetchOperation(o.id) })),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("title")}</Title>
        <NewOperation />
      </Group>
      <QueryState query={list}>
        {() =>
          items.length === 0 ? (
            <Text c="dimmed">{t("list.none")}</Text>
          ) : (
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("list.code")}</Table.Th>
                  <Table.Th>{t("list.date")}</Table.Th>
                  <Table.Th>{t("list.status")}</Table.Th>
                  <Table.Th>{t("list.staging")}</Table.Th>
                  <Table.Th ta="right">{t("list.people")}</Table.Th>
                  <Table.Th ta="right">{t("list.aircraft")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((o, i) => {
                  const file = files[i]?.data;
                  return (
                    <Table.Tr key={o.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/operations/${o.id}`}>
                          {o.code}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{f.date(o.operationDate)}</Table.Td>
                      <Table.Td>
                        <Badge color={statusColor[o.status]} variant="filled" autoContrast>
                          {term("operationStatus", o.status)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{o.stagingAirport}</Table.Td>
                      <Table.Td ta="right">
                        {file ? f.number(file.people.filter((p) => !p.removedAt).length) : "…"}
                      </Table.Td>
                      <Table.Td ta="right">{file ? f.number(file.aircraft.length) : "…"}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Stack>
  );
}
