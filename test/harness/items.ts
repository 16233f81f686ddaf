/** The item at `index` of a list the test expects to hold it: a shorter list fails the test here, saying so. */
export function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected an item #${index}, but the list has ${items.length}`);
  return item;
}
