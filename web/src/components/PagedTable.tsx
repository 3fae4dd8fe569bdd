import { Button, Paper, Table, Text } from "@mantine/core";
import type { Key, ReactNode } from "react";
import { QueryState } from "./QueryState.tsx";

/**
 * A list read a page at a time (an infinite query over a cursor-paged API): loading and failure as
 * `QueryState` shows them, a line when there is nothing, else a table of every page read so far and a
 * button to read the next.
 */
export function PagedTable<T>({
  query,
  headers,
  rowKey,
  cells,
  empty,
  more,
}: {
  query: {
    isPending: boolean;
    error: unknown;
    data: { pages: { items: T[] }[] } | undefined;
    refetch: () => unknown;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => unknown;
  };
  /** The column headers, in the page's language. */
  headers: string[];
  rowKey: (row: T) => Key;
  /** A row's cells (`Table.Td`s), one per header. */
  cells: (row: T) => ReactNode;
  /** What the page says when there is nothing to list. */
  empty: string;
  /** The label of the button that reads the next page. */
  more: string;
}) {
  return (
    <Paper withBorder p="md">
      <QueryState query={query}>
        {(data) => {
          const rows = data.pages.flatMap((p) => p.items);
          if (rows.length === 0) return <Text c="dimmed">{empty}</Text>;
          return (
            <>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    {headers.map((h) => (
                      <Table.Th key={h}>{h}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={rowKey(r)}>{cells(r)}</Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {query.hasNextPage && (
                <Button
                  variant="outline"
                  mt="sm"
                  loading={query.isFetchingNextPage}
                  onClick={() => void query.fetchNextPage()}
                >
                  {more}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </Paper>
  );
}
