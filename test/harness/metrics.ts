/** The lines of a service's `/metrics` (Prometheus text). */
async function scrape(serviceUrl: string): Promise<string[]> {
  return (await (await fetch(`${serviceUrl}/metrics`)).text()).split('\n');
}

/** The value of an unlabelled metric on a service's `/metrics`, or undefined when the service does not export it. */
export async function metricValue(serviceUrl: string, name: string): Promise<number | undefined> {
  const line = (await scrape(serviceUrl)).find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** The sum of a labelled metric's series on a service's `/metrics` that carry these labels (0 when none does). */
export async function metricTotal(serviceUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  return (await scrape(serviceUrl))
    .filter((line) => line.startsWith(`${name}{`) && wanted.every((pair) => line.slice(0, line.indexOf('}')).includes(pair)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** `/health/ready` of a service: its status code and the outcome of each named check. */
export async function readiness(serviceUrl: string): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${serviceUrl}/health/ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}
