import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ApiError, api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { RefusalAlert, useErrorText } from "../../components/QueryState.tsx";
import { addStrings } from "../../i18n.ts";
import { flowStrings } from "./flow-strings.ts";

addStrings("opsflow", flowStrings);

const aircraftRow = () => ({ callsign: "", seats: 19, maxStops: 2 });

/** An operations planner's new operation: code, date, legal basis, staging airport, receiving state, aircraft. */
export function NewOperation() {
  const { t } = useTranslation("opsflow");
  const session = useSession();
  const [open, setOpen] = useState(false);
  if (!session.can("operation:create")) return null;
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t("newOperation")}</Button>
      {open && <NewOperationForm onClose={() => setOpen(false)} />}
    </>
  );
}

function NewOperationForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation("opsflow");
  const _errorText = useErrorText();
  const navigate = useNavigate();
  const client = useQueryClient();
  const airports = useQuery({
    queryKey: ["places", "airport"],
    queryFn: () => unwrap(api.GET("/api/places", { params: { query: { kind: "airport", limit: 500 } } })),
  });
  const form = useForm({
    initialValues: {
      code: "",
      operationDate: new Date().toISOString().slice(0, 10),
      legalBasis: t("legalBasisDefault"),
      stagingAirport: "NLU",
      receivingState: "US",
      aircraft: [aircraftRow()],
    },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST("/api/operations", { body: v })),
    onSuccess: async (op) => {
      await client.invalidateQueries({ queryKey: ["operations"] });
      navigate(`/operations/${op.id}`);
    },
    onError: (e) => {
      if (e instanceof ApiError)
        for (const i of e.issues) form.setFieldError(i.field.replace(/\[(\d+)\]/g, ".$1"), i.rule);
    },
  });
  const rows = form.getValues().aircraft;
  return (
    <Modal opened onClose={onClose} title={t("newOperation")} size="lg">
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <RefusalAlert error={create.error} title={t("refused")} />
          <Group grow>
            <TextInput label={t("code")} required {...form.getInputProps("code")} />
            <TextInput label={t("date")} type="date" required {...form.getInputProps("operationDate")} />
          </Group>
          <TextInput label={t("legalBasis")} required {...form.getInputProps("legalBasis")} />
          <Group grow>
            <Select
              label={t("staging")}
              allowDeselect={false}
              data={(airports.data?.items ?? []).map((a) => ({
                value: a.code,
                label: `${a.code} · ${a.name}`,
              }))}
              {...form.getInputProps("stagingAirport")}
            />
            <Select
              label={t("receivingState")}
              allowDeselect={false}
              data={["US", "GT"].map((p) => ({ value: p, label: t(`states.${p}`, { ns: "common" }) }))}
              {...form.getInputProps("receivingState")}
            />
          </Group>
          <Fieldset legend={t("aircraft")}>
            <Stack gap="xs">
              {rows.map((_, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until created; their order is their identity
                <Group key={i} align="flex-end" role="group" aria-label={t("aircraftN", { n: i + 1 })}>
                  <TextInput
                    label={t("callsign")}
                    required
                    {...form.getInputProps(`aircraft.${i}.callsign`)}
                  />
                  <NumberInput
                    label={t("seats")}
                    min={1}
                    max={1000}
                    w={100}
                    {...form.getInputProps(`aircraft.${i}.seats`)}
                  />
                  <NumberInput
                    label={t("maxStops")}
                    min={1}
                    max={20}
                    w={120}
                    {...form.getInputProps(`aircraft.${i}.maxStops`)}
                  />
                  {rows.length > 1 && (
                    <ActionIcon
                      variant="outline"
                      color="red.9"
                      aria-label={t("removeAircraft", { n: i + 1 })}
                      onClick={() => form.removeListItem("aircraft", i)}
                    >
                      ×
                    </ActionIcon>
                  )}
                </Group>
              ))}
              <Button
                variant="outline"
                w="fit-content"
                onClick={() => form.insertListItem("aircraft", aircraftRow())}
              >
                {t("addAircraft")}
              </Button>
            </Stack>
          </Fieldset>
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending}>
              {t("create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
