import { For, type JSX, Show } from 'solid-js';

export interface ListTableProps<T> {
  /** The column headings, in order. */
  columns: string[];
  rows: readonly T[] | undefined;
  /** What shows instead of the table when there are no rows. */
  empty: JSX.Element;
  /** One `<tr>` per row, its cells in the order of `columns`. */
  children: (row: T) => JSX.Element;
}

/** A list of things (services, networks, jobs) as a scrolling table, or `empty` when there are none. */
export function ListTable<T>(props: ListTableProps<T>) {
  return (
    <Show when={(props.rows?.length ?? 0) > 0} fallback={props.empty}>
      <div class="table-scroll">
        <table class="list">
          <thead>
            <tr>
              <For each={props.columns}>{(column) => <th scope="col">{column}</th>}</For>
            </tr>
          </thead>
          <tbody>
            <For each={props.rows}>{(row) => props.children(row)}</For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
