/** The API names a field `charges[0].statute`; a Mantine form names it `charges.0.statute`. */
export function formPath(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, ".$1");
}
