import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client.ts";

/**
 * Names of the people the user may see, by id (lists of cases carry the person's id only). Reads the
 * first page of people (500): enough for a board of one ministry's open cases, not for an archive.
 */
export function usePeopleNames(): Map<string, string> {
  const people = useQuery({
    queryKey: ["people", "names"],
    queryFn: () => unwrap(api.GET("/api/people", { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
  return new Map((people.data?.items ?? []).map((p) => [p.id, `${p.givenNames} ${p.familyNames}`]));
}
