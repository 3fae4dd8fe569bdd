import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Checkbox,
  Divider,
  Fieldset,
  Grid,
  Group,
  Modal,
  Paper,
  Select,
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
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { type Answer, ApiError, api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { QueryState, useErrorText, useRefusalText } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { emptyCharge, emptyIntake, fieldOfIssue, type Intake, intakeBody } from "./intake.ts";
import { strings } from "./strings.ts";

addStrings("requests", strings);

/** Requests received, and (for those who file them) the intake form. */
export default function RequestsPage() {
  const { t } = useTranslation("requests");
  const session = useSession();
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      {session.can("request:create") && <IntakeForm />}
      <RequestList />
    </Stack>
  );
}

/** The requests the user may see; `?personId=` (from a person's page) narrows them to one person's. */
function RequestList() {
  const { t } = useTranslation("requests");
  const term = useTerm();
  const f = useFormat();
  const [params] = useSearchParams();
  const personId = params.get("personId") ?? undefined;
  const list = useQuery({
    queryKey: ["requests", personId],
    queryFn: () =>
      unwrap(
        api.GET("/api/requests", { params: { query: { limit: 100, ...(personId ? { personId } : {}) } } }),
      ),
  });
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("list")}
      </Title>
      <QueryState query={list}>
        {(r) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("type")}</Table.Th>
                <Table.Th>{t("requestingState")}</Table.Th>
                <Table.Th>{t("court")}</Table.Th>
                <Table.Th>{t("received")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.items.map((x) => (
                <Table.Tr key={x.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/people/${x.personId}`}>
                      {term("requestType", x.type)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{x.requestingState}</Table.Td>
                  <Table.Td>{x.court ?? "—"}</Table.Td>
                  <Table.Td>{f.date(x.receivedOn)}</Table.Td>
                  <Table.Td>
                    <RequestActions request={x} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Paper>
  );
}

/**
 * The intake form: the person, the request (court, diplomatic note, warrant), its charges as repeatable
 * rows. A draft is kept in this browser as the user types (per user) and restored; the API's field
 * errors are shown beside each field, and a refused request writes nothing.
 */
function IntakeForm() {
  const { t } = useTranslation("requests");
  const term = useTerm();
  const errorText = useErrorText();
  const session = useSession();
  const client = useQueryClient();
  const draftKey = `traslado.draft.request.${session.current?.user.id ?? "anonymous"}`;
  const form = useForm<Intake>({ initialValues: emptyIntake });
  // A requesting state's officer files for their own state; the sending state's, for the state named.
  const ownParty = session.current?.party;
  const [restored, setRestored] = useState(false);
  // The request just filed, with what may follow it (open its case, give an assurance).
  const [filed, setFiled] = useState<RequestItem | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: restore once, when the form first shows
  useEffect(() => {
    const saved = localStorage.getItem(draftKey);
    if (saved) {
      try {
        form.setValues({ ...emptyIntake, ...(JSON.parse(saved) as Partial<Intake>) });
        setRestored(true);
      } catch {
        localStorage.removeItem(draftKey);
      }
    }
  }, [draftKey]);
  useEffect(() => {
    const values = form.getValues();
    if (JSON.stringify(values) !== JSON.stringify(emptyIntake))
      localStorage.setItem(draftKey, JSON.stringify(values));
  });
  const file = useMutation({
    mutationFn: (v: Intake) => unwrap(api.POST("/api/requests", { body: intakeBody(v, ownParty) })),
    onSuccess: async (request) => {
      localStorage.removeItem(draftKey);
      form.setValues(emptyIntake);
      setRestored(false);
      setFiled(request);
      notifications.show({ color: "teal", message: t("saved") });
      await client.invalidateQueries({ queryKey: ["requests"] });
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      for (const i of e.issues)
        form.setFieldError(fieldOfIssue(i.field), i.rule === "required" ? t("required") : i.rule);
    },
  });
  const charges = form.getValues().charges;
  return (
    <Paper withBorder p="md" component="section" aria-label={t("intake")}>
      <Title order={3} size="h4" mb="sm">
        {t("intake")}
      </Title>
      <form onSubmit={form.onSubmit((v) => file.mutate(v))} noValidate>
        <Stack>
          {restored && (
            <Alert color="blue">
              {t("draftRestored")}{" "}
              <Button
                variant="outline"
                color="dark"
                size="compact-sm"
                onClick={() => {
                  localStorage.removeItem(draftKey);
                  form.setValues(emptyIntake);
                  setRestored(false);
                }}
              >
                {t("discardDraft")}
              </Button>
            </Alert>
          )}
          {filed && (
            <Alert color="teal" role="status" title={t("saved")} data-testid="intake-filed">
              <Group justify="space-between">
                <Anchor component={Link} to={`/people/${filed.personId}`}>
                  {term("requestType", filed.type)} · {filed.requestingAgency}
                </Anchor>
                <RequestActions request={filed} />
              </Group>
            </Alert>
          )}
          {file.error && (
            <Alert color="red" role="alert" data-testid="intake-refused">
              {file.error instanceof ApiError && file.error.issues.length > 0
                ? t("fixFields")
                : errorText(file.error)}
            </Alert>
          )}
          <Fieldset legend={t("personSection")}>
            <Grid>
              <Grid.Col span={{ base: 12, sm: 6 }}>
                <TextInput label={t("givenNames")} required {...form.getInputProps("givenNames")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6 }}>
                <TextInput label={t("familyNames")} required {...form.getInputProps("familyNames")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6 }}>
                <TextInput label={t("aliases")} {...form.getInputProps("aliases")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 3 }}>
                <TextInput label={t("dateOfBirth")} type="date" {...form.getInputProps("dateOfBirth")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 3 }}>
                <TextInput label={t("custodyFacility")} {...form.getInputProps("custodyFacility")} />
              </Grid.Col>
            </Grid>
          </Fieldset>
          <Fieldset legend={t("requestSection")}>
            <Grid>
              <Grid.Col span={{ base: 12, sm: 6 }}>
                <TextInput
                  label={t("requestingAgency")}
                  required
                  {...form.getInputProps("requestingAgency")}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 3 }}>
                <Select
                  label={t("type")}
                  allowDeselect={false}
                  data={[
                    "security-transfer",
                    "formal-extradition",
                    "provisional-arrest",
                    "temporary-surrender",
                  ].map((v) => ({ value: v, label: term("requestType", v) }))}
                  {...form.getInputProps("type")}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 3 }}>
                <Select
                  label={t("channel")}
                  allowDeselect={false}
                  data={(["diplomatic-note", "written-request", "interpol", "other"] as const).map((v) => ({
                    value: v,
                    label: t(`channels.${v}`),
                  }))}
                  {...form.getInputProps("channel")}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("diplomaticNote")} {...form.getInputProps("diplomaticNote")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("sentOn")} type="date" {...form.getInputProps("sentOn")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("receivedOn")} type="date" {...form.getInputProps("receivedOn")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("court")} {...form.getInputProps("court")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("district")} {...form.getInputProps("district")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput label={t("courtCaseNumber")} {...form.getInputProps("courtCaseNumber")} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <Select
                  label={t("treaty")}
                  allowDeselect={false}
                  data={(["us-mx-1978", "gt-mx-1997"] as const).map((v) => ({
                    value: v,
                    label: t(`treaties.${v}`),
                  }))}
                  {...form.getInputProps("treaty")}
                />
              </Grid.Col>
            </Grid>
          </Fieldset>
          <Fieldset legend={t("charges")}>
            <Stack>
              {charges.map((_, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until filed; their order is their identity
                <Stack key={i} gap="xs" aria-label={t("charge", { n: i + 1 })} role="group">
                  <Group justify="space-between">
                    <Text fw={600} size="sm">
                      {t("charge", { n: i + 1 })}
                    </Text>
                    {charges.length > 1 && (
                      <ActionIcon
                        variant="outline"
                        color="red.9"
                        aria-label={t("removeCharge", { n: i + 1 })}
                        onClick={() => form.removeListItem("charges", i)}
                      >
                        ×
                      </ActionIcon>
                    )}
                  </Group>
                  <Grid>
                    <Grid.Col span={{ base: 12, sm: 4 }}>
                      <TextInput
                        label={t("statute")}
                        required
                        {...form.getInputProps(`charges.${i}.statute`)}
                      />
                    </Grid.Col>
                    <Grid.Col span={{ base: 12, sm: 5 }}>
                      <Textarea
                        label={t("description")}
                        required
                        autosize
                        {...form.getInputProps(`charges.${i}.description`)}
                      />
                    </Grid.Col>
                    <Grid.Col span={{ base: 12, sm: 3 }}>
                      <TextInput
                        label={t("maximumPenalty")}
                        {...form.getInputProps(`charges.${i}.maximumPenalty`)}
                      />
                    </Grid.Col>
                  </Grid>
                  <Checkbox
                    label={t("capitalEligible")}
                    {...form.getInputProps(`charges.${i}.capitalEligible`, { type: "checkbox" })}
                  />
                  <Divider />
                </Stack>
              ))}
              <Button
                variant="outline"
                onClick={() => form.insertListItem("charges", { ...emptyCharge })}
                w="fit-content"
              >
                {t("addCharge")}
              </Button>
            </Stack>
          </Fieldset>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {t("draftSaved")}
            </Text>
            <Button type="submit" loading={file.isPending}>
              {t("submit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

type RequestItem = Answer<"/api/requests", "get">["items"][number];

/** What may follow a request: the sending state opens its case; the requesting state gives an assurance. */
function RequestActions({ request }: { request: RequestItem }) {
  const { t } = useTranslation("requests");
  const session = useSession();
  const refusalText = useRefusalText();
  const navigate = useNavigate();
  const [assuring, setAssuring] = useState(false);
  const open = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/cases", {
          body: {
            track: request.type === "security-transfer" ? "security" : "treaty",
            personId: request.personId,
            requestId: request.id,
          },
        }),
      ),
    onSuccess: (c) => navigate(`/cases/${c.id}`),
    onError: (e) =>
      notifications.show({
        color: "red",
        title: t("caseNotOpened"),
        message: refusalText(e),
      }),
  });
  return (
    <Group gap="xs" wrap="nowrap">
      {session.can("case:create") && (
        <Button size="compact-sm" variant="outline" loading={open.isPending} onClick={() => open.mutate()}>
          {t("openCase")}
        </Button>
      )}
      {session.can("assurance:create") && (
        <Button size="compact-sm" variant="outline" onClick={() => setAssuring(true)}>
          {t("giveAssurance")}
        </Button>
      )}
      {assuring && <GiveAssurance request={request} onClose={() => setAssuring(false)} />}
    </Group>
  );
}

function GiveAssurance({ request, onClose }: { request: RequestItem; onClose: () => void }) {
  const { t } = useTranslation("requests");
  const errorText = useErrorText();
  const client = useQueryClient();
  const form = useForm({
    initialValues: {
      kind: "no-death-penalty",
      giver: "",
      givenOn: new Date().toISOString().slice(0, 10),
      documentRef: "",
    },
  });
  const give = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST("/api/assurances", {
          body: {
            kind: v.kind as "no-death-penalty",
            giver: v.giver,
            scope: "person",
            personId: request.personId,
            givenOn: v.givenOn,
            status: "given",
            ...(v.documentRef.trim() ? { documentRef: v.documentRef } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      notifications.show({ color: "teal", message: t("assuranceGiven") });
      await client.invalidateQueries();
      onClose();
    },
    onError: (e) => {
      if (e instanceof ApiError)
        for (const i of e.issues) form.setFieldError(i.field, i.rule === "required" ? t("required") : i.rule);
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("giveAssurance")}>
      <form onSubmit={form.onSubmit((v) => give.mutate(v))} noValidate>
        <Stack>
          {give.error && (
            <Alert color="red" role="alert">
              {give.error instanceof ApiError && give.error.issues.length > 0
                ? t("fixFields")
                : errorText(give.error)}
            </Alert>
          )}
          <Select
            label={t("assuranceKind")}
            allowDeselect={false}
            data={(["no-death-penalty", "specialty", "other"] as const).map((v) => ({
              value: v,
              label: t(`assuranceKinds.${v}`),
            }))}
            {...form.getInputProps("kind")}
          />
          <TextInput label={t("giver")} required {...form.getInputProps("giver")} />
          <TextInput label={t("givenOn")} type="date" required {...form.getInputProps("givenOn")} />
          <TextInput label={t("documentRef")} {...form.getInputProps("documentRef")} />
          <Group justify="flex-end">
            <Button type="submit" loading={give.isPending}>
              {t("giveAssurance")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
