import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Answer, ApiError, api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { QueryState, RefusalAlert, useErrorText } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("council", strings);

type CaseFile = Answer<"/api/cases/{id}", "get">;
const outcomes = { approve: "approve-transfer", reject: "reject-transfer", defer: "defer-transfer" } as const;
const decidedStates = ["council-approved", "council-rejected", "council-deferred"] as const;

/**
 * The council's session: the people proposed to it, each with the analysis that proposed them; the
 * decision recorded per person (a step of the security track, by the decision authority); the
 * session's minutes, printable.
 */
export default function CouncilPage() {
  const { t } = useTranslation("council");
  const proposed = useQuery({
    queryKey: ["cases", "council", "proposed"],
    queryFn: async () => {
      const list = await unwrap(
        api.GET("/api/cases", {
          params: { query: { track: "security", state: "proposed-to-council", limit: 500 } },
        }),
      );
      return Promise.all(
        list.items.map(async (c) => ({
          file: await unwrap(api.GET("/api/cases/{id}", { params: { path: { id: c.id } } })),
          personName: c.personName,
        })),
      );
    },
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("title")}</Title>
        <Button variant="outline" onClick={() => window.print()} className="no-print">
          {t("print")}
        </Button>
      </Group>
      <Title order={3} size="h4">
        {t("proposed")}
      </Title>
      <QueryState query={proposed}>
        {(cases) =>
          cases.length === 0 ? (
            <Text c="dimmed">{t("noneProposed")}</Text>
          ) : (
            <Stack>
              {cases.map(({ file, personName }) => (
                <Proposed key={file.id} kase={file} name={personName ?? file.personId} />
              ))}
            </Stack>
          )
        }
      </QueryState>
      <Minutes />
    </Stack>
  );
}

function Proposed({ kase, name }: { kase: CaseFile; name: string }) {
  const { t } = useTranslation("council");
  const term = useTerm();
  const session = useSession();
  const _errorText = useErrorText();
  const client = useQueryClient();
  // The analysis: what the secretariat wrote when it began the analysis and when it proposed the person.
  const analysis = kase.history.filter(
    (h) => h.toState === "under-analysis" || h.toState === "proposed-to-council",
  );
  const mayDecide = session.current?.role === "decision-authority" && session.can("case:transition");
  const form = useForm({
    initialValues: {
      outcome: "approve" as keyof typeof outcomes,
      legalBasis: t("legalBasisDefault"),
      reasons: "",
    },
  });
  const decide = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST("/api/cases/{id}/transitions", {
          params: { path: { id: kase.id } },
          body: {
            transition: outcomes[v.outcome],
            legalBasis: v.legalBasis,
            reasons: v.reasons,
            expectedVersion: kase.version,
          },
        }),
      ),
    onSuccess: async (_, v) => {
      notifications.show({ color: "teal", message: t("recorded", { outcome: t(v.outcome) }) });
      await client.invalidateQueries({ queryKey: ["cases"] });
    },
    onError: (e) => {
      if (e instanceof ApiError) for (const i of e.issues) form.setFieldError(i.field, i.rule);
    },
  });
  return (
    <Paper withBorder p="md" component="article" aria-label={name}>
      <Group justify="space-between">
        <Anchor component={Link} to={`/cases/${kase.id}`} fw={700} size="lg">
          {name}
        </Anchor>
        <Text size="sm">{t("charges", { count: kase.charges.length })}</Text>
      </Group>
      {kase.openRisks.map((r) => (
        <Badge key={r.code} color="red.9" variant="filled" mt="xs">
          {term("risk", r.code)}
        </Badge>
      ))}
      <Text fw={600} size="sm" mt="sm">
        {t("analysis")}
      </Text>
      {analysis.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("noAnalysis")}
        </Text>
      ) : (
        analysis.map((h) => (
          <Text size="sm" key={h.id}>
            {h.reasons}
          </Text>
        ))
      )}
      {mayDecide && (
        <form onSubmit={form.onSubmit((v) => decide.mutate(v))} noValidate className="no-print">
          <Stack mt="sm" gap="xs">
            <RefusalAlert error={decide.error} />
            <SegmentedControl
              aria-label={t("decide")}
              data={(Object.keys(outcomes) as (keyof typeof outcomes)[]).map((o) => ({
                value: o,
                label: t(o),
              }))}
              {...form.getInputProps("outcome")}
            />
            <TextInput label={t("legalBasis")} required {...form.getInputProps("legalBasis")} />
            <Textarea label={t("reasons")} required autosize {...form.getInputProps("reasons")} />
            <Group justify="flex-end">
              <Button type="submit" loading={decide.isPending}>
                {t("record")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}

/** The decisions recorded: who, what, on which legal basis, when. */
function Minutes() {
  const { t } = useTranslation("council");
  const term = useTerm();
  const f = useFormat();
  const decided = useQuery({
    queryKey: ["cases", "council", "decided"],
    queryFn: async () => {
      const lists = await Promise.all(
        decidedStates.map((state) =>
          unwrap(api.GET("/api/cases", { params: { query: { track: "security", state, limit: 500 } } })),
        ),
      );
      return lists.flatMap((l) => l.items);
    },
  });
  return (
    <Paper withBorder p="md" component="section" aria-label={t("minutes")}>
      <Title order={3} size="h4" mb="sm">
        {t("minutes")}
      </Title>
      <QueryState query={decided}>
        {(cases) =>
          cases.length === 0 ? (
            <Text c="dimmed">{t("noneDecided")}</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("person")}</Table.Th>
                  <Table.Th>{t("outcome")}</Table.Th>
                  <Table.Th>{t("date")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {cases.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.personName ?? c.personId}</Table.Td>
                    <Table.Td>{term("state", c.state)}</Table.Td>
                    <Table.Td>{f.date(c.recordedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Paper>
  );
}
