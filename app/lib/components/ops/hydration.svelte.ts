import { onMount } from 'svelte';

/**
 * Whether the component runs in the browser yet. These screens act through the API
 * client, so their controls stay disabled until then: a click before hydration would
 * do nothing and a value typed before it would be reset by it.
 */
export function hydration(): { readonly done: boolean } {
  const state = $state({ done: false });
  onMount(() => {
    state.done = true;
  });
  return state;
}
