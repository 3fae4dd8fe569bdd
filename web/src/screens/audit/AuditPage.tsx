import {
  Alert,
  Anchor,
  Button,
  Code,
  Group,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useInterval } from "@mantine/hooks";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { PagedTable } from "../../components/PagedTable.tsx";
import { ErrorAlert } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { strings } from "./strings.ts";

addStrings("audit", strings);

const filterKeys = ["entity", "entityId", "personId", "actorId", "action", "from", "to"] as const;
type Filters = Record<(typeof filterKeys)[number], string>;

/** The audit chain's events with filters (kept in the address, so a person's or a case's page links here). */
export default function AuditPage() {
  const { t } = useTranslation("audit");
  const f = useFormat();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ""])) as Filters;
  const form = useForm<Filters>({ initialValues: filters });
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as Partial<Filters>;
  const events = useInfiniteQuery({
    queryKey: ["audit-events", query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/audit-events", {
          params: { query: { limit: 50, ...(query as object), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("title")}</Title>
        {session.can("audit:verify") && <Verify />}
      </Group>
      <Paper withBorder p="md" component="section" aria-label={t("filters")}>
        <form
          onSubmit={form.onSubmit((v) => {
            const next = new URLSearchParams();
            for (const [k, value] of Object.entries(v)) if (value.trim()) next.set(k, value.trim());
            setParams(next);
          })}
        >
          <Group align="flex-end" wrap="wrap">
            {filterKeys.map((k) => (
              <TextInput
                key={k}
                label={t(k)}
                type={k === "from" || k === "to" ? "date" : "text"}
                w={180}
                {...form.getInputProps(k)}
              />
            ))}
            <Button type="submit">{t("apply")}</Button>
            <Button
              variant="outline"
              onClick={() => {
                form.setValues(Object.fromEntries(filterKeys.map((k) => [k, ""])) as Filters);
                setParams(new URLSearchParams());
              }}
            >
              {t("clear")}
            </Button>
          </Group>
        </form>
      </Paper>
      <PagedTable
        query={events}
        headers={[t("seq"), t("occurredAt"), t("recordedAt"), t("actor"), t("event"), t("changes")]}
        rowKey={(e) => e.seq}
        empty={t("none")}
        more={t("more")}
        cells={(e) => (
          <>
            <Table.Td>{e.seq}</Table.Td>
            <Table.Td>{f.dateTime(e.occurredAt)}</Table.Td>
            <Table.Td>{f.dateTime(e.recordedAt)}</Table.Td>
            <Table.Td>
              {e.actor.name} ({e.actor.party})
            </Table.Td>
            <Table.Td>
              <Text size="sm">{e.action}</Text>
              <Anchor component={Link} to={`?entity=${e.entity}&entityId=${e.entityId}`} size="xs">
                {e.entity} …{e.entityId.slice(-8)}
              </Anchor>
            </Table.Td>
            <Table.Td>
              {e.valuesShown ? (
                e.changes.map((c) => (
                  <Text size="xs" key={c.field}>
                    <Code>{c.field}</Code>: {JSON.stringify(c.before ?? null)} →{" "}
                    {JSON.stringify(c.after ?? null)}
                  </Text>
                ))
              ) : (
                <Text size="xs">
                  {t("valuesHidden", { fields: e.changes.map((c) => c.field).join(", ") })}
                </Text>
              )}
            </Table.Td>
          </>
        )}
      />
    </Stack>
  );
}

/**
 * Verifies the chain on the server (from the latest signed checkpoint, as `traslado audit verify` does);
 * while it runs, the page asks twice a second how far it has got and shows the events checked.
 */
function Verify() {
  const { t } = useTranslation("audit");
  const f = useFormat();
  const [seconds, setSeconds] = useState(0);
  const tick = useInterval(() => setSeconds((s) => s + 1), 1000);
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST("/api/audit-verifications")),
    onMutate: () => {
      setSeconds(0);
      tick.start();
    },
    onSettled: () => tick.stop(),
  });
  const progress = useQuery({
    queryKey: ["audit-verification-progress"],
    queryFn: () => unwrap(api.GET("/api/audit-verifications/current")),
    enabled: verify.isPending,
    refetchInterval: verify.isPending ? 500 : false,
  });
  const p = verify.isPending && progress.data?.running ? progress.data : null;
  const percent = p && p.eventsTotal > 0 ? Math.min(100, (100 * p.eventsChecked) / p.eventsTotal) : null;
  return (
    <Stack gap="xs" w={420}>
      <Button onClick={() => verify.mutate()} loading={verify.isPending} variant="outline">
        {t("verify")}
      </Button>
      {verify.isPending && (
        <>
          <Progress
            value={percent ?? 100}
            animated={percent === null}
            aria-label={t("verifying", { seconds })}
            data-testid="verify-progress"
          />
          <Text size="sm" aria-live="polite">
            {p && p.eventsTotal > 0
              ? t("verifyingEvents", {
                  checked: f.number(p.eventsChecked),
                  total: f.number(p.eventsTotal),
                  seconds,
                })
              : t("verifying", { seconds })}
          </Text>
        </>
      )}
      {verify.error && <ErrorAlert error={verify.error} />}
      {verify.data &&
        (verify.data.ok ? (
          <Alert color="teal" role="status">
            {t("verified", { events: verify.data.eventsChecked, rows: verify.data.rowsChecked })}
          </Alert>
        ) : (
          <Alert color="red" role="alert" title={t("broken", { count: verify.data.problems.length })}>
            {verify.data.problems.slice(0, 20).map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list does not change
              <Text size="sm" key={i}>
                {JSON.stringify(p)}
              </Text>
            ))}
          </Alert>
        ))}
    </Stack>
  );
}
