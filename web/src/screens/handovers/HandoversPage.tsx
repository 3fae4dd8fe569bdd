import {
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { type QueryKey, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { QueryState, RefusalAlert } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { strings } from "./strings.ts";

addStrings("handovers", strings);

/** One person of an operation, as the sending state (its operation) or the receiving state (its release) sees it. */
interface Aboard {
  personId: string;
  caseId?: string | null;
  name: string;
  destination: string;
  aircraft?: string | null;
}
interface Choice {
  id: string;
  code: string;
  date: string;
}

/**
 * Handovers per operation: the sending state's custody officer records each one at its destination; the
 * receiving state's officer sees the people released to it and confirms each receipt (time, place,
 * officer, condition).
 */
export default function HandoversPage() {
  const { t } = useTranslation("handovers");
  const session = useSession();
  const f = useFormat();
  // The sending state reads its operations; a receiving state, what was released to it.
  const sending = session.can("operation:read");
  const choices = useQuery({
    queryKey: ["handover-operations", sending],
    queryFn: async (): Promise<Choice[]> =>
      sending
        ? (await unwrap(api.GET("/api/operations", { params: { query: { limit: 500 } } }))).items.map(
            (o) => ({ id: o.id, code: o.code, date: o.operationDate }),
          )
        : (await unwrap(api.GET("/api/releases", { params: { query: { limit: 500 } } }))).items.map((r) => ({
            id: r.operationId,
            code: r.operationCode,
            date: r.operationDate,
          })),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const operationId = chosen ?? choices.data?.at(-1)?.id ?? null;
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      <QueryState query={choices}>
        {(list) => (
          <Select
            label={t("operation")}
            placeholder={t("chooseOperation")}
            allowDeselect={false}
            value={operationId}
            onChange={setChosen}
            data={list.map((o) => ({ value: o.id, label: `${o.code} · ${f.date(o.date)}` }))}
            w={360}
          />
        )}
      </QueryState>
      {operationId && <OperationHandovers operationId={operationId} sending={sending} />}
    </Stack>
  );
}

function OperationHandovers({ operationId, sending }: { operationId: string; sending: boolean }) {
  const { t } = useTranslation("handovers");
  const session = useSession();
  const people = useQuery({
    queryKey: ["aboard", operationId, sending],
    queryFn: async (): Promise<Aboard[]> => {
      if (sending) {
        const op = await unwrap(api.GET("/api/operations/{id}", { params: { path: { id: operationId } } }));
        return op.people
          .filter((p) => !p.removedAt)
          .map((p) => ({
            personId: p.personId,
            caseId: p.caseId,
            name: p.name,
            destination: p.destinationAirport,
          }));
      }
      const releases = await unwrap(api.GET("/api/releases", { params: { query: { limit: 500 } } }));
      const release = releases.items.find((r) => r.operationId === operationId);
      return (release?.people ?? []).map((p) => ({
        personId: p.personId,
        name: p.name,
        destination: p.destination,
        aircraft: p.aircraft,
      }));
    },
  });
  const handovers = useQuery({
    queryKey: ["handovers", operationId],
    queryFn: async () => {
      const list = await unwrap(
        api.GET("/api/handovers", { params: { query: { operationId, limit: 500 } } }),
      );
      // Each handover's confirmation comes with the handover read by id.
      return Promise.all(
        list.items.map((h) => unwrap(api.GET("/api/handovers/{id}", { params: { path: { id: h.id } } }))),
      );
    },
  });
  const [recording, setRecording] = useState<Aboard | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("people")}
      </Title>
      <QueryState query={people}>
        {(aboard) =>
          aboard.length === 0 ? (
            t("none")
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("person")}</Table.Th>
                  <Table.Th>{t("destination")}</Table.Th>
                  <Table.Th>{t("status")}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {aboard.map((p) => {
                  const h = handovers.data?.find((x) => x.personId === p.personId);
                  const confirmed = Boolean(h && "confirmation" in h && h.confirmation);
                  return (
                    <Table.Tr key={p.personId}>
                      <Table.Td>{p.name}</Table.Td>
                      <Table.Td>{p.destination}</Table.Td>
                      <Table.Td>
                        {!h ? (
                          <Badge color="gray.7" variant="outline">
                            {t("pending")}
                          </Badge>
                        ) : confirmed ? (
                          <Badge color="teal.9" variant="filled">
                            {t("confirmed")}
                          </Badge>
                        ) : (
                          <Badge color="yellow" variant="filled" autoContrast>
                            {t("awaiting")}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {!h && session.can("handover:create") && (
                          <Button
                            size="xs"
                            onClick={() => setRecording(p)}
                            aria-label={`${t("record")}: ${p.name}`}
                          >
                            {t("record")}
                          </Button>
                        )}
                        {h && !confirmed && session.can("handover:confirm") && (
                          <Button
                            size="xs"
                            onClick={() => setConfirming(h.id)}
                            aria-label={`${t("confirm")}: ${p.name}`}
                          >
                            {t("confirm")}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
      {recording && (
        <RecordHandover operationId={operationId} person={recording} onClose={() => setRecording(null)} />
      )}
      {confirming && (
        <ConfirmHandover
          handoverId={confirming}
          operationId={operationId}
          onClose={() => setConfirming(null)}
        />
      )}
    </Paper>
  );
}

const nowLocal = () =>
  new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
/** `2027-01-20T14:30` typed in the browser's time zone → ISO with offset. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : "");

function issuesInto(form: { setFieldError: (f: string, e: string) => void }, e: unknown) {
  if (e instanceof ApiError) for (const i of e.issues) form.setFieldError(i.field, i.rule);
}

/**
 * A handover dialog's write: on success it says so, reads again what the write changed (`refresh`) and
 * closes the dialog; a refusal that names fields marks them on the form.
 */
function useHandoverSave<V>(
  form: { setFieldError: (f: string, e: string) => void },
  write: (values: V) => Promise<unknown>,
  refresh: QueryKey[],
  onClose: () => void,
) {
  const { t } = useTranslation("handovers");
  const client = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: async () => {
      notifications.show({ color: "teal", message: t("saved") });
      for (const queryKey of refresh) await client.invalidateQueries({ queryKey });
      onClose();
    },
    onError: (e) => issuesInto(form, e),
  });
}

/** The frame both handover dialogs share: the form in a dialog, the write's refusal above it, the submit button. */
function HandoverDialog({
  title,
  onClose,
  onSubmit,
  save,
  children,
}: {
  title: string;
  onClose: () => void;
  onSubmit: (event?: FormEvent<HTMLFormElement>) => void;
  save: { error: unknown; isPending: boolean };
  children: ReactNode;
}) {
  const { t } = useTranslation("handovers");
  return (
    <Modal opened onClose={onClose} title={title} size="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <RefusalAlert error={save.error} title={t("refused")} />
          {children}
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {t("submit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RecordHandover({
  operationId,
  person,
  onClose,
}: {
  operationId: string;
  person: Aboard;
  onClose: () => void;
}) {
  const { t } = useTranslation("handovers");
  const form = useForm({
    initialValues: {
      occurredAt: nowLocal(),
      place: person.destination,
      dispatchingOfficer: "",
      dispatchingAgency: "",
      receivingOfficer: "",
      receivingAgency: "",
      condition: "",
    },
  });
  const save = useHandoverSave(
    form,
    (v: typeof form.values) =>
      unwrap(
        api.POST("/api/handovers", {
          body: {
            operationId,
            personId: person.personId,
            ...(person.caseId ? { caseId: person.caseId } : {}),
            ...v,
            occurredAt: isoOf(v.occurredAt),
          },
        }),
      ),
    [["handovers", operationId], ["stats"]],
    onClose,
  );
  return (
    <HandoverDialog
      title={`${t("record")}: ${person.name}`}
      onClose={onClose}
      onSubmit={form.onSubmit((v) => save.mutate(v))}
      save={save}
    >
      <Group grow>
        <TextInput
          label={t("occurredAt")}
          type="datetime-local"
          required
          {...form.getInputProps("occurredAt")}
        />
        <TextInput label={t("place")} required maxLength={3} {...form.getInputProps("place")} />
      </Group>
      <Group grow>
        <TextInput label={t("dispatchingOfficer")} required {...form.getInputProps("dispatchingOfficer")} />
        <TextInput label={t("dispatchingAgency")} required {...form.getInputProps("dispatchingAgency")} />
      </Group>
      <Group grow>
        <TextInput label={t("receivingOfficer")} required {...form.getInputProps("receivingOfficer")} />
        <TextInput label={t("receivingAgency")} required {...form.getInputProps("receivingAgency")} />
      </Group>
      <Textarea label={t("condition")} required autosize {...form.getInputProps("condition")} />
    </HandoverDialog>
  );
}

function ConfirmHandover({
  handoverId,
  operationId,
  onClose,
}: {
  handoverId: string;
  operationId: string;
  onClose: () => void;
}) {
  const { t } = useTranslation("handovers");
  const form = useForm({
    initialValues: {
      occurredAt: nowLocal(),
      receivingOfficer: "",
      receivingAgency: "",
      condition: "",
      notes: "",
    },
  });
  const save = useHandoverSave(
    form,
    (v: typeof form.values) =>
      unwrap(
        api.POST("/api/handovers/{id}/confirmations", {
          params: { path: { id: handoverId } },
          body: {
            occurredAt: isoOf(v.occurredAt),
            receivingOfficer: v.receivingOfficer,
            receivingAgency: v.receivingAgency,
            condition: v.condition,
            ...(v.notes.trim() ? { notes: v.notes } : {}),
          },
        }),
      ),
    [["handovers", operationId]],
    onClose,
  );
  return (
    <HandoverDialog
      title={t("confirm")}
      onClose={onClose}
      onSubmit={form.onSubmit((v) => save.mutate(v))}
      save={save}
    >
      <TextInput
        label={t("occurredAt")}
        type="datetime-local"
        required
        {...form.getInputProps("occurredAt")}
      />
      <Group grow>
        <TextInput label={t("receivingOfficer")} required {...form.getInputProps("receivingOfficer")} />
        <TextInput label={t("receivingAgency")} required {...form.getInputProps("receivingAgency")} />
      </Group>
      <Textarea label={t("condition")} required autosize {...form.getInputProps("condition")} />
      <Textarea label={t("notes")} autosize {...form.getInputProps("notes")} />
    </HandoverDialog>
  );
}
