/** The ceiling's workflow: returns at once. What the Temporal server costs per workflow, nothing else. */
export async function benchEmpty(): Promise<void> {}
