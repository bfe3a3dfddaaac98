import { onMount } from 'svelte';

/**
 * Whether the component runs in the browser yet. Forms that act through the API
 * client keep their controls disabled until then: a press before hydration would
 * do nothing, and a value typed before it would be reset by it.
 * Call it while the component initialises (it registers an onMount).
 */
export function hydration(): { readonly done: boolean } {
  const state = $state({ done: false });
  onMount(() => {
    state.done = true;
  });
  return state;
}
