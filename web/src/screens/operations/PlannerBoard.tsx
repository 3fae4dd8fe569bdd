/**
 * One column per aircraft with its manifest; a person is dragged to another aircraft (by pointer, or by
 * keyboard: space on the handle, the arrow keys from one aircraft to the next, space to drop), and every rule
 * the move would break shows at once, checked in the browser (`rules.ts`). Dropping asks to confirm; the
 * server checks the move again when it is applied.
 */
import {
  type Announcements,
  type CollisionDetection,
  DndContext,
  type DragEndEvent,
  type DragOverEvent,
  DragOverlay,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  type UniqueIdentifier,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Modal,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client.ts";
import { ErrorAlert } from "../../components/QueryState.tsx";
import { useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { colorOf, type ManifestEntry, type OperationFile, type Plan } from "./board.ts";
import { useNotify } from "./notify.ts";
import { RuleList } from "./RuleList.tsx";
import {
  type Assignment,
  assignmentDiff,
  type Board,
  type BoardAircraft,
  type BoardPerson,
  checkMove,
  type MoveCheck,
  type PersonMove,
  routeOf,
} from "./rules.ts";

interface Props {
  operationId: string;
  board: Board;
  plan: Plan | undefined;
  /** The plan's version, sent with a move so that a move on a plan changed meanwhile is refused. */
  version: number | undefined;
  canMove: boolean;
  /** Every listing, removed ones too (for the names in the list of who moved). */
  people: OperationFile["people"];
  onChanged: () => Promise<unknown>;
}

interface Pending {
  person: BoardPerson;
  aircraft: BoardAircraft;
  check: MoveCheck;
}

export function PlannerBoard({ operationId, board, plan, version, canMove, people, onChanged }: Props) {
  const { t } = useTranslation("operations");
  const assignment: Assignment = plan?.assignment ?? {};
  const entries = useMemo(() => {
    const m = new Map<string, ManifestEntry>();
    for (const a of plan?.aircraft ?? []) for (const e of a.manifest) m.set(e.personId, e);
    return m;
  }, [plan]);
  const [dragging, setDragging] = useState<BoardPerson | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [removing, setRemoving] = useState<BoardPerson | null>(null);
  const name = (id: UniqueIdentifier | undefined) => board.people.find((p) => p.id === id)?.name ?? "";
  const callsign = (id: UniqueIdentifier | undefined) => board.fleet.find((a) => a.id === id)?.callsign ?? "";
  const checkOver = (personId: string, aircraftId: string | null): MoveCheck | null =>
    aircraftId && assignment[personId] !== aircraftId
      ? checkMove(board, assignment, personId, aircraftId)
      : null;
  const live = dragging ? checkOver(dragging.id, over) : null;

  // Keyboard: the arrow keys go from one aircraft to the next (in reading order), and the aircraft chosen is
  // the one the person is over (`keyboardTarget`); a pointer drops where it points.
  const keyboardTarget = useRef<string | null>(null);
  const coordinates: KeyboardCoordinateGetter = (event, { context }) => {
    const forward = event.code === "ArrowRight" || event.code === "ArrowDown";
    const backward = event.code === "ArrowLeft" || event.code === "ArrowUp";
    if (!forward && !backward) return undefined;
    event.preventDefault();
    const columns = board.fleet
      .map((a) => ({ id: a.id, rect: context.droppableRects.get(a.id) }))
      .filter((c): c is { id: string; rect: NonNullable<typeof c.rect> } => c.rect !== undefined);
    if (columns.length === 0 || !context.collisionRect) return undefined;
    const at = columns.findIndex((c) => c.id === keyboardTarget.current);
    const next = columns[Math.min(columns.length - 1, Math.max(0, at < 0 ? 0 : at + (forward ? 1 : -1)))];
    if (!next) return undefined;
    keyboardTarget.current = next.id;
    return { x: next.rect.left + 8, y: next.rect.top + 8 };
  };
  const collision: CollisionDetection = (args) => {
    if (args.pointerCoordinates) return pointerWithin(args);
    const target = keyboardTarget.current;
    const container = target ? args.droppableContainers.find((c) => c.id === target) : undefined;
    return container ? [{ id: container.id, data: { droppableContainer: container, value: 0 } }] : [];
  };
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: coordinates }),
  );
  const verdict = (personId: UniqueIdentifier, aircraftId: UniqueIdentifier | undefined) => {
    const c = checkOver(String(personId), aircraftId ? String(aircraftId) : null);
    return c && c.broken.length > 0 ? t("move.liveBroken", { count: c.broken.length }) : t("move.liveOk");
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => t("move.picked", { name: name(active.id) }),
    onDragOver: ({ active, over: o }) =>
      o
        ? t("move.live", { aircraft: callsign(o.id), verdict: verdict(active.id, o.id) })
        : t("move.nowhere", { name: name(active.id) }),
    onDragEnd: ({ active, over: o }) =>
      o
        ? t("move.dropped", { name: name(active.id), aircraft: callsign(o.id) })
        : t("move.cancelled", { name: name(active.id) }),
    onDragCancel: ({ active }) => t("move.cancelled", { name: name(active.id) }),
  };
  const onDragStart = ({ active }: DragStartEvent) => {
    const person = board.people.find((p) => p.id === active.id) ?? null;
    keyboardTarget.current = person ? (assignment[person.id] ?? null) : null;
    setDragging(person);
    setOver(keyboardTarget.current);
  };
  const onDragOver = ({ over: o }: DragOverEvent) => setOver(o ? String(o.id) : null);
  const onDragEnd = ({ active, over: o }: DragEndEvent) => {
    setDragging(null);
    setOver(null);
    const person = board.people.find((p) => p.id === active.id);
    const aircraft = board.fleet.find((a) => a.id === o?.id);
    if (!person || !aircraft || assignment[person.id] === aircraft.id) return;
    setPending({ person, aircraft, check: checkMove(board, assignment, person.id, aircraft.id) });
  };
  const unassigned = board.people.filter((p) => !assignment[p.id]);
  return (
    <Stack>
      <DndContext
        sensors={sensors}
        collisionDetection={collision}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("move.instructions") } }}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setDragging(null);
          setOver(null);
        }}
      >
        {/* Fixed in a corner, so that showing it moves nothing on the board while a person is dragged. */}
        <Box pos="fixed" bottom={16} right={16} w={440} maw="calc(100vw - 32px)" style={{ zIndex: 200 }}>
          {dragging && (
            <Paper withBorder shadow="lg" p="sm" data-testid="move-check">
              <Text size="sm" fw={600}>
                {over
                  ? t("move.over", { aircraft: callsign(over) })
                  : t("move.nowhere", { name: dragging.name })}
              </Text>
              {live &&
                (live.broken.length > 0 ? (
                  <>
                    <Text size="sm" c="red.9">
                      {t("move.breaks", { count: live.broken.length })}
                    </Text>
                    <RuleList board={board} violations={live.broken} />
                  </>
                ) : (
                  <Text size="sm" c="teal.9">
                    {t("move.ok")}
                  </Text>
                ))}
            </Paper>
          )}
        </Box>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3, xl: 4 }}>
          {board.fleet.map((a, index) => (
            <AircraftColumn
              key={a.id}
              aircraft={a}
              color={colorOf(index)}
              board={board}
              people={board.people.filter((p) => assignment[p.id] === a.id)}
              entries={entries}
              showGuards={(plan?.aircraft ?? []).some((x) => x.guards > 0)}
              canMove={canMove}
              verdict={dragging && over === a.id ? (live?.broken.length ?? 0) : null}
              onRemove={setRemoving}
            />
          ))}
          {unassigned.length > 0 && (
            <Paper withBorder p="sm" component="section" aria-label={t("column.unassigned")}>
              <Title order={3} size="h5" mb="xs">
                {t("column.unassigned")}
              </Title>
              <Stack gap={6}>
                {unassigned.map((p) => (
                  <PersonCard
                    key={p.id}
                    person={p}
                    entry={undefined}
                    showGuards
                    canMove={canMove}
                    onRemove={setRemoving}
                  />
                ))}
              </Stack>
            </Paper>
          )}
        </SimpleGrid>
        <DragOverlay>
          {dragging ? <PersonCardBody person={dragging} entry={entries.get(dragging.id)} showGuards /> : null}
        </DragOverlay>
      </DndContext>
      {pending && (
        <MoveDialog
          operationId={operationId}
          pending={pending}
          board={board}
          version={version}
          onClose={() => setPending(null)}
          onChanged={onChanged}
        />
      )}
      {removing && (
        <RemoveDialog
          operationId={operationId}
          person={removing}
          board={board}
          before={assignment}
          people={people}
          onClose={() => setRemoving(null)}
          onChanged={onChanged}
        />
      )}
    </Stack>
  );
}

function AircraftColumn({
  aircraft,
  color,
  board,
  people,
  entries,
  showGuards,
  canMove,
  verdict,
  onRemove,
}: {
  aircraft: BoardAircraft;
  color: string;
  board: Board;
  people: BoardPerson[];
  entries: Map<string, ManifestEntry>;
  showGuards: boolean;
  canMove: boolean;
  /** While a person is dragged over it: the number of rules the move breaks. */
  verdict: number | null;
  onRemove: (p: BoardPerson) => void;
}) {
  const { t } = useTranslation("operations");
  const f = useFormat();
  const { setNodeRef } = useDroppable({ id: aircraft.id });
  const used = people.reduce((s, p) => s + 1 + p.guards, 0);
  const guards = people.reduce((s, p) => s + p.guards, 0);
  const route = routeOf(board, aircraft, people);
  const sorted = [...people].sort(
    (a, b) =>
      (entries.get(a.id)?.seat ?? Number.MAX_SAFE_INTEGER) -
      (entries.get(b.id)?.seat ?? Number.MAX_SAFE_INTEGER),
  );
  const outline =
    verdict === null ? undefined : verdict > 0 ? "var(--mantine-color-red-8)" : "var(--mantine-color-teal-8)";
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="sm"
      component="section"
      aria-label={aircraft.callsign}
      data-testid="aircraft-column"
      style={{ borderTop: `4px solid ${color}`, outline: outline ? `3px solid ${outline}` : undefined }}
    >
      <Stack gap={6}>
        <Title order={3} size="h5">
          {aircraft.callsign}
        </Title>
        <Text size="xs" c="dimmed">
          {[
            aircraft.rangeKm !== undefined ? t("column.range", { km: f.number(aircraft.rangeKm) }) : null,
            t("column.maxStops", { count: aircraft.maxStops }),
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
        <Text size="sm">{t("column.seats", { used: f.number(used), total: f.number(aircraft.seats) })}</Text>
        <Progress
          value={Math.min(100, (used / aircraft.seats) * 100)}
          color={used > aircraft.seats ? "red.8" : "teal.8"}
          aria-label={t("column.seats", { used: f.number(used), total: f.number(aircraft.seats) })}
        />
        {showGuards && <Text size="sm">{t("column.guards", { count: guards })}</Text>}
        <Text size="sm">
          {t("column.route")}: {people.length > 0 ? route.order.join(" → ") : "—"}
        </Text>
        {people.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("column.empty")}
          </Text>
        ) : (
          <Stack
            gap={6}
            component="ul"
            aria-label={t("column.people", { aircraft: aircraft.callsign })}
            style={{ listStyle: "none", margin: 0, padding: 0 }}
          >
            {sorted.map((p) => (
              <li key={p.id}>
                <PersonCard
                  person={p}
                  entry={entries.get(p.id)}
                  showGuards={showGuards}
                  canMove={canMove}
                  onRemove={onRemove}
                />
              </li>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

function PersonCard({
  person,
  entry,
  showGuards,
  canMove,
  onRemove,
}: {
  person: BoardPerson;
  entry: ManifestEntry | undefined;
  showGuards: boolean;
  canMove: boolean;
  onRemove: (p: BoardPerson) => void;
}) {
  const { t } = useTranslation("operations");
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({
    id: person.id,
    disabled: !canMove,
  });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p={6}
      bg="gray.0"
      // The card held stays in place, marked (not faded: its text stays readable).
      style={isDragging ? { outline: "2px dashed var(--mantine-color-dark-4)", outlineOffset: 2 } : undefined}
      data-testid="person-card"
    >
      <Group gap={6} wrap="nowrap" align="flex-start">
        {canMove && (
          <ActionIcon
            ref={setActivatorNodeRef}
            variant="subtle"
            color="dark"
            size="sm"
            aria-label={t("column.move", { name: person.name })}
            style={{ cursor: "grab", touchAction: "none" }}
            {...attributes}
            {...listeners}
          >
            <span aria-hidden="true">⠿</span>
          </ActionIcon>
        )}
        <Box style={{ flex: 1, minWidth: 0 }}>
          <PersonCardBody person={person} entry={entry} showGuards={showGuards} />
        </Box>
        {canMove && (
          <ActionIcon
            variant="subtle"
            color="red.9"
            size="sm"
            aria-label={t("column.remove", { name: person.name })}
            onClick={() => onRemove(person)}
          >
            <span aria-hidden="true">×</span>
          </ActionIcon>
        )}
      </Group>
    </Paper>
  );
}

function PersonCardBody({
  person,
  entry,
  showGuards,
}: {
  person: BoardPerson;
  entry: ManifestEntry | undefined;
  showGuards: boolean;
}) {
  const { t } = useTranslation("operations");
  const term = useTerm();
  const flags = entry?.riskFlags ?? [];
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600} data-testid="person-name">
        {person.name}
      </Text>
      <Text size="xs">
        {[
          t("column.leavesAt", { airport: person.destination }),
          entry ? t("column.seat", { seat: entry.seat }) : null,
          showGuards ? t("column.guardsOf", { count: person.guards }) : null,
          person.organisation ?? null,
        ]
          .filter(Boolean)
          .join(" · ")}
      </Text>
      {(entry?.highRisk || flags.length > 0) && (
        <Group gap={4}>
          {entry?.highRisk && (
            <Badge size="xs" color="red.9" variant="filled" autoContrast>
              {t("column.highRisk")}
            </Badge>
          )}
          {flags.map((flag) => (
            <Badge key={flag} size="xs" color="dark" variant="outline">
              {term("riskFlag", flag)}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

function MoveDialog({
  operationId,
  pending,
  board,
  version,
  onClose,
  onChanged,
}: {
  operationId: string;
  pending: Pending;
  board: Board;
  version: number | undefined;
  onClose: () => void;
  onChanged: () => Promise<unknown>;
}) {
  const { t } = useTranslation("operations");
  const notify = useNotify();
  const { person, aircraft, check } = pending;
  const move = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/operations/{id}/plan/moves", {
          params: { path: { id: operationId } },
          body: {
            personId: person.id,
            aircraftId: aircraft.id,
            ...(version ? { expectedVersion: version } : {}),
          },
        }),
      ),
    onSuccess: async (answer) => {
      notify(
        answer.violations.length > 0 ? "orange" : "teal",
        answer.violations.length > 0
          ? t("move.appliedBroken", {
              name: person.name,
              aircraft: aircraft.callsign,
              count: answer.violations.length,
            })
          : t("move.applied", { name: person.name, aircraft: aircraft.callsign }),
      );
      await onChanged();
      onClose();
    },
  });
  const broken = check.broken.length > 0;
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("move.title", { name: person.name, aircraft: aircraft.callsign })}
      closeButtonProps={{ "aria-label": t("close") }}
    >
      <Stack>
        {broken ? (
          <Alert
            color="red"
            title={t("move.breaks", { count: check.broken.length })}
            data-testid="move-broken"
          >
            <RuleList board={board} violations={check.broken} />
          </Alert>
        ) : (
          <Text>{t("move.ok")}</Text>
        )}
        {check.mended.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              {t("move.mends")}
            </Text>
            <RuleList board={board} violations={check.mended} />
          </Stack>
        )}
        {move.error && (
          <Stack gap={4} data-testid="move-refused">
            <Text size="sm" fw={600}>
              {t("move.refused")}
            </Text>
            <ErrorAlert error={move.error} />
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel", { ns: "common" })}
          </Button>
          <Button color={broken ? "red.9" : undefined} onClick={() => move.mutate()} loading={move.isPending}>
            {broken ? t("move.applyAnyway") : t("move.apply")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RemoveDialog({
  operationId,
  person,
  board,
  before,
  people,
  onClose,
  onChanged,
}: {
  operationId: string;
  person: BoardPerson;
  board: Board;
  before: Assignment;
  people: OperationFile["people"];
  onClose: () => void;
  onChanged: () => Promise<unknown>;
}) {
  const { t } = useTranslation("operations");
  const notify = useNotify();
  const [reason, setReason] = useState("");
  const [moves, setMoves] = useState<PersonMove[] | null>(null);
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/operations/{id}/people/{personId}", {
          params: { path: { id: operationId, personId: person.id } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: async (answer) => {
      // Who moves: the plan before against the new draft (the removed person leaves it).
      const after = answer.plan?.plan.assignment ?? {};
      const diff = assignmentDiff(before, after);
      setMoves(diff);
      notify(
        "teal",
        t("remove.removed", {
          name: person.name,
          count: diff.filter((m) => m.personId !== person.id).length,
        }),
      );
      await onChanged();
    },
  });
  const nameOf = (id: string) => people.find((p) => p.personId === id)?.name ?? id;
  const callsign = (id: string | null) => board.fleet.find((a) => a.id === id)?.callsign ?? "—";
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("remove.title", { name: person.name })}
      size="lg"
      closeButtonProps={{ "aria-label": t("close") }}
    >
      {moves === null ? (
        <Stack>
          <Textarea
            label={t("remove.reason")}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required
            autosize
            minRows={2}
            data-autofocus
          />
          {remove.error && <ErrorAlert error={remove.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel", { ns: "common" })}
            </Button>
            <Button
              color="red.9"
              onClick={() => remove.mutate()}
              loading={remove.isPending}
              disabled={!reason.trim()}
            >
              {t("remove.confirm")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack data-testid="who-moves">
          <Title order={3} size="h5">
            {t("remove.moves")}
          </Title>
          {moves.filter((m) => m.personId !== person.id).length === 0 && (
            <Text size="sm">{t("remove.noMoves")}</Text>
          )}
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("remove.person")}</Table.Th>
                <Table.Th>{t("remove.from")}</Table.Th>
                <Table.Th>{t("remove.to")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {moves.map((m) => (
                <Table.Tr key={m.personId}>
                  <Table.Td>{nameOf(m.personId)}</Table.Td>
                  <Table.Td>{callsign(m.from)}</Table.Td>
                  <Table.Td>{m.to ? callsign(m.to) : t("remove.left")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="flex-end">
            <Button onClick={onClose}>{t("close")}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
