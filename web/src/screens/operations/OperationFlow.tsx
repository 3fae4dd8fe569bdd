import { Badge, Button, Group, Paper, Select, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { RefusalAlert, useErrorText } from "../../components/QueryState.tsx";
import { addStrings } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { flowStrings } from "./flow-strings.ts";

addStrings("opsflow", flowStrings);

/** The moves an operation may make from each status (the server decides; these are the ones offered). */
const nextMoves: Record<string, string[]> = {
  planning: ["cancelled"],
  planned: ["ready", "cancelled"],
  ready: ["in-transit", "planned", "cancelled"],
  "in-transit": ["completed"],
};

/** An operation's status and the moves the user may make, the server's refusal shown in words. */
export function StatusMoves({ operation }: { operation: { id: string; status: string; version: number } }) {
  const { t } = useTranslation("opsflow");
  const term = useTerm();
  const session = useSession();
  const _errorText = useErrorText();
  const client = useQueryClient();
  const move = useMutation({
    mutationFn: (status: string) =>
      unwrap(
        api.POST("/api/operations/{id}/status", {
          params: { path: { id: operation.id } },
          body: { status: status as "ready", expectedVersion: operation.version },
        }),
      ),
    onSuccess: async (_, status) => {
      notifications.show({ color: "teal", message: t("moved", { status: term("operationStatus", status) }) });
      await client.invalidateQueries();
    },
  });
  return (
    <Paper withBorder p="md" component="section" aria-label={t("status")}>
      <Group justify="space-between">
        <Group>
          <Text fw={600}>{t("status")}:</Text>
          <Badge size="lg" variant="filled" data-testid="operation-status">
            {term("operationStatus", operation.status)}
          </Badge>
        </Group>
        {session.can("operation:move") && (
          <Group>
            {(nextMoves[operation.status] ?? []).map((s) => (
              <Button
                key={s}
                variant={s === "cancelled" || s === "planned" ? "outline" : "filled"}
                color={s === "cancelled" ? "red.9" : undefined}
                loading={move.isPending && move.variables === s}
                onClick={() => move.mutate(s)}
              >
                {t(`move.${s}`)}
              </Button>
            ))}
          </Group>
        )}
      </Group>
      <RefusalAlert error={move.error} title={t("moveRefused")} mt="sm" />
    </Paper>
  );
}

/** People whose case is ready for transfer, to list on an operation still being planned. */
export function AddPeople({
  operation,
}: {
  operation: {
    id: string;
    status: string;
    version: number;
    people: { personId: string; removedAt: string | null }[];
  };
}) {
  const { t } = useTranslation("opsflow");
  const session = useSession();
  const _errorText = useErrorText();
  const client = useQueryClient();
  const [destinations, setDestinations] = useState<Record<string, string | null>>({});
  const ready = useQuery({
    queryKey: ["cases", "ready-for-transfer"],
    queryFn: () =>
      unwrap(api.GET("/api/cases", { params: { query: { state: "ready-for-transfer", limit: 500 } } })),
  });
  const airports = useQuery({
    queryKey: ["places", "airport"],
    queryFn: () => unwrap(api.GET("/api/places", { params: { query: { kind: "airport", limit: 500 } } })),
  });
  const add = useMutation({
    mutationFn: (c: { personId: string; caseId: string; destinationAirport: string }) =>
      unwrap(
        api.POST("/api/operations/{id}/people", {
          params: { path: { id: operation.id } },
          body: { ...c, expectedVersion: operation.version },
        }),
      ),
    onSuccess: async () => {
      notifications.show({ color: "teal", message: t("added") });
      await client.invalidateQueries();
    },
  });
  if (!session.can("operation:plan") || !(operation.status === "planning" || operation.status === "planned"))
    return null;
  const listed = new Set(operation.people.filter((p) => !p.removedAt).map((p) => p.personId));
  const candidates = (ready.data?.items ?? []).filter((c) => !listed.has(c.personId));
  const destinationsOffered = (airports.data?.items ?? []).map((a) => ({
    value: a.code,
    label: `${a.code} · ${a.name}`,
  }));
  return (
    <Paper withBorder p="md" component="section" aria-label={t("addPeople")}>
      <Title order={3} size="h4" mb="sm">
        {t("addPeople")}
      </Title>
      <RefusalAlert error={add.error} mb="sm" />
      {candidates.length === 0 ? (
        <Text c="dimmed">{t("noneReady")}</Text>
      ) : (
        <Table>
          <Table.Tbody>
            {candidates.map((c) => {
              const name = c.personName ?? c.personId;
              return (
                <Table.Tr key={c.id}>
                  <Table.Td>{name}</Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`${t("destination")}: ${name}`}
                      placeholder={t("destination")}
                      searchable
                      data={destinationsOffered}
                      value={destinations[c.personId] ?? null}
                      onChange={(v) => setDestinations((d) => ({ ...d, [c.personId]: v }))}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      disabled={!destinations[c.personId]}
                      loading={add.isPending && add.variables?.personId === c.personId}
                      onClick={() =>
                        add.mutate({
                          personId: c.personId,
                          caseId: c.id,
                          destinationAirport: destinations[c.personId] ?? "",
                        })
                      }
                      aria-label={`${t("add")}: ${name}`}
                    >
                      {t("add")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
