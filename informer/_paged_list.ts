import type { DecodedList, KubeObject, ListOptions, ListWatch } from "../client/types.ts";

/**
 * The pages of a LIST: the ListWatch's own `listPages` when it has one (a `ResourceClient`
 * requests the next page while the current one is decoded), else `list()` page after page.
 */
export function _pages<T extends KubeObject>(
  lw: ListWatch<T>,
  options: ListOptions,
): AsyncIterable<DecodedList<T>> {
  if (lw.listPages) return lw.listPages(options);
  return (async function* () {
    let cont: string | undefined;
    do {
      const page = await lw.list({ ...options, continue: cont });
      yield page;
      cont = page.metadata.continue || undefined;
    } while (cont);
  })();
}
