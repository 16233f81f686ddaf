/** The value of an unlabelled metric on a service's `/metrics`, or undefined when the service does not export it. */
export async function metricValue(serviceUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** `/health/ready` of a service: its status code and the outcome of each named check. */
export async function readiness(serviceUrl: string): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${serviceUrl}/health/ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}
