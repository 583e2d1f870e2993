/** Ledger records through the gateway: members, machines, orders, jobs, parts and traces. */
import { Option, type Command } from 'commander';
import { Context, parse, readJsonFile, type Io } from '../context';
import { CliError } from '../errors';
import { compact, keyValues, table, truncate } from '../format/table';

type Json = Record<string, any>;

const limitOption = () => new Option('--limit <n>', 'most items to list').default(100).argParser(parse.positiveInt('--limit', 10_000));
const idempotencyOption = () => new Option('--idempotency-key <key>', 'Idempotency-Key header (default: a new one per invocation)');
const date = (s: unknown): string => (typeof s === 'string' ? s.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '-');

/** Send a command (POST) and print the record it returns. */
/** One JSON object from `file`, the body of a command. @throws CliError BAD_INPUT_FILE */
async function readBody(file: string, what: string): Promise<Json> {
  const body = await readJsonFile(file);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CliError('BAD_INPUT_FILE', `${file} must hold one JSON object (${what})`);
  return body as Json;
}

/** Machine provenance events as the gateway routes them: `POST /v1/machines/{id}/<route>`. */
const MACHINE_EVENTS: Readonly<Record<string, string>> = {
  commission: 'commission', calibration: 'calibrations', maintenance: 'maintenance', repair: 'repairs', relocation: 'relocations',
  'transfer-offer': 'transfer-offer', 'transfer-cancellation': 'transfer-cancellation', 'transfer-acceptance': 'transfer-acceptance', decommission: 'decommission',
};

async function write(ctx: Context, path: string, body: unknown, key: string | undefined, human: (r: Json) => string): Promise<void> {
  const client = await ctx.client();
  const result = await client.post<Json>(path, body, key);
  ctx.print(result, () => human(result));
}

export function registerRecords(program: Command, io: Io): void {
  // members
  const members = program.command('members').description('consortium members');
  members.command('list').description('list members')
    .addOption(new Option('--role <role>', 'only this role').choices(['factory', 'buyer', 'auditor', 'logistics']))
    .addOption(limitOption())
    .action(async (opts: { role?: string; limit: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const items = await (await ctx.client()).list<Json>('/v1/members', { role: opts.role }, opts.limit);
      ctx.print(items, () => table(['msp id', 'name', 'role', 'site', 'country'], items.map((m) => [m.mspId, m.name, m.role, m.location?.site, m.location?.country])));
    });

  // machines
  members.command('register').description('admit a member organisation (consortium administrators)')
    .requiredOption('--file <member.json>', 'the member: {mspId, name, role, location?}')
    .addOption(idempotencyOption())
    .action(async (opts: { file: string; idempotencyKey?: string }, cmd: Command) => {
      const body = await readBody(opts.file, 'the member');
      await write(Context.of(io, cmd), '/v1/members', body, opts.idempotencyKey, (m) => `registered member ${m.mspId} (${m.name}, ${m.role})`);
    });

  const machines = program.command('machines').description('machines and their provenance');
  machines.command('register').description('register a machine of this organisation')
    .requiredOption('--file <machine.json>', 'the machine: {id, manufacturer, model, serial, capabilities, location?}')
    .addOption(idempotencyOption())
    .action(async (opts: { file: string; idempotencyKey?: string }, cmd: Command) => {
      const body = await readBody(opts.file, 'the machine');
      await write(Context.of(io, cmd), '/v1/machines', body, opts.idempotencyKey, (m) => `registered machine ${m.id} (${m.manufacturer} ${m.model}): ${m.status}`);
    });
  machines.command('record <machineId> <event>').description(`record a provenance event: ${Object.keys(MACHINE_EVENTS).join(', ')}`)
    .option('--file <event.json>', 'the event\'s body (default {})')
    .addOption(idempotencyOption())
    .action(async (id: string, event: string, opts: { file?: string; idempotencyKey?: string }, cmd: Command) => {
      const route = MACHINE_EVENTS[event];
      if (!route) throw new CliError('USAGE', `unknown machine event "${event}"; one of ${Object.keys(MACHINE_EVENTS).join(', ')}`);
      const body = opts.file ? await readBody(opts.file, `the ${event} event`) : {};
      await write(Context.of(io, cmd), `/v1/machines/${encodeURIComponent(id)}/${route}`, body, opts.idempotencyKey,
        (m) => `recorded ${event} of machine ${m.id ?? id}: status ${m.status}, ${m.eventCount} events`);
    });
  machines.command('list').description('list machines')
    .option('--owner <mspId>', 'only machines of this organisation')
    .addOption(new Option('--status <status>', 'only this status').choices(['registered', 'commissioned', 'decommissioned']))
    .option('--process <process>', 'only machines offering this process')
    .addOption(limitOption())
    .action(async (opts: { owner?: string; status?: string; process?: string; limit: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const items = await (await ctx.client()).list<Json>('/v1/machines', { ownerMsp: opts.owner, status: opts.status, process: opts.process }, opts.limit);
      ctx.print(items, () => table(['id', 'owner', 'status', 'machine', 'processes', 'calibration due'],
        items.map((m) => [m.id, m.ownerMsp, m.status, `${m.manufacturer} ${m.model}`, (m.capabilities?.processes ?? []).join(','), m.calibration ? date(m.calibration.dueAt) : null])));
    });
  machines.command('show <machineId>').description('one machine')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const m = await (await ctx.client()).get<Json>(`/v1/machines/${encodeURIComponent(id)}`);
      ctx.print(m, () => keyValues([
        ['machine', m.id], ['owner', m.ownerMsp], ['status', m.status], ['make', `${m.manufacturer} ${m.model} (serial ${m.serial})`],
        ['processes', (m.capabilities?.processes ?? []).join(', ')], ['materials', (m.capabilities?.materials ?? []).join(', ')],
        ['tolerance', m.capabilities ? `${m.capabilities.toleranceMm} mm` : null],
        ['location', m.location ? `${m.location.site}, ${m.location.country}` : null],
        ['calibration', m.calibration ? `${m.calibration.laboratory}, due ${date(m.calibration.dueAt)}` : null],
        ['transfer', m.pendingTransfer ? `offered to ${m.pendingTransfer.toMsp}` : null],
        ['events', m.eventCount], ['registered', `${date(m.created?.at)} by ${m.created?.mspId}`], ['updated', date(m.updated?.at)],
      ]));
    });
  machines.command('events <machineId>').description('a machine’s provenance events')
    .addOption(limitOption())
    .action(async (id: string, opts: { limit: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const items = await (await ctx.client()).list<Json>(`/v1/machines/${encodeURIComponent(id)}/events`, {}, opts.limit);
      ctx.print(items, () => table(['seq', 'at', 'type', 'by', 'data'], items.map((e) => [e.seq, date(e.at), e.type, e.mspId, compact(e.data)])));
    });

  // orders
  const orders = program.command('orders').description('orders of custom parts');
  orders.command('create').description('create an order from a JSON file (the POST /v1/orders body)')
    .requiredOption('--spec <file.json>', 'order: {id, spec: {name, specHash, material, parameters}, operations, quantity, dueDate}')
    .addOption(idempotencyOption())
    .action(async (opts: { spec: string; idempotencyKey?: string }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const body = await readBody(opts.spec, 'the order');
      await write(ctx, '/v1/orders', body, opts.idempotencyKey, (o) => `created order ${o.id}: ${o.quantity} × ${o.spec?.name}, parts ${(o.partIds ?? []).join(', ')}, due ${date(o.dueDate)}`);
    });
  orders.command('list').description('list orders')
    .addOption(new Option('--status <status>', 'only this status').choices(['open', 'cancelled']))
    .option('--buyer <mspId>', 'only orders of this buyer')
    .addOption(limitOption())
    .action(async (opts: { status?: string; buyer?: string; limit: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const items = await (await ctx.client()).list<Json>('/v1/orders', { status: opts.status, buyerMsp: opts.buyer }, opts.limit);
      ctx.print(items, () => table(['id', 'buyer', 'status', 'part', 'qty', 'operations', 'due'],
        items.map((o) => [o.id, o.buyerMsp, o.status, o.spec?.name, o.quantity, (o.operations ?? []).map((x: Json) => x.process).join('→'), date(o.dueDate)])));
    });
  orders.command('show <orderId>').description('one order')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const o = await (await ctx.client()).get<Json>(`/v1/orders/${encodeURIComponent(id)}`);
      ctx.print(o, () => [
        keyValues([['order', o.id], ['buyer', o.buyerMsp], ['status', o.status], ['part', `${o.spec?.name} (${o.spec?.material})`], ['spec hash', o.spec?.specHash],
          ['parameters', compact(o.spec?.parameters, 200)], ['quantity', o.quantity], ['due', date(o.dueDate)], ['parts', (o.partIds ?? []).join(', ')],
          ['terms agreed with', Object.keys(o.termsHashes ?? {}).join(', ')], ['created', `${date(o.created?.at)} by ${o.created?.mspId}`]]),
        '',
        table(['#', 'process', 'estimated min'], (o.operations ?? []).map((x: Json, i: number) => [i, x.process, x.estimatedMinutes])),
      ].join('\n'));
    });

  // jobs
  const jobs = program.command('jobs').description('job assignments of operations to factories');
  jobs.command('list').description('list jobs')
    .addOption(new Option('--status <status>', 'only this status').choices(['assigned', 'accepted', 'declined', 'started', 'finished', 'cancelled']))
    .option('--factory <mspId>', 'only jobs of this factory')
    .option('--part <partId>', 'only jobs of this part')
    .addOption(limitOption())
    .action(async (opts: { status?: string; factory?: string; part?: string; limit: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const items = await (await ctx.client()).list<Json>('/v1/jobs', { status: opts.status, factoryMsp: opts.factory, partId: opts.part }, opts.limit);
      ctx.print(items, () => table(['id', 'part', 'op', 'process', 'factory', 'machine', 'status', 'planned start', 'planned end'],
        items.map((j) => [j.id, j.partId, j.operationIndex, j.process, j.factoryMsp, j.machineId, j.status, date(j.plannedStart), date(j.plannedEnd)])));
    });
  const jobLine = (verb: string) => (j: Json) => `${verb} job ${j.id} (${j.partId} op ${j.operationIndex} on ${j.machineId}): status ${j.status}`;
  jobs.command('accept <jobId>').description('accept a job (the assigned factory)').addOption(idempotencyOption())
    .action(async (id: string, opts: { idempotencyKey?: string }, cmd: Command) =>
      write(Context.of(io, cmd), `/v1/jobs/${encodeURIComponent(id)}/acceptance`, {}, opts.idempotencyKey, jobLine('accepted')));
  jobs.command('decline <jobId>').description('decline a job (the assigned factory)')
    .requiredOption('--reason <text>', 'why').addOption(idempotencyOption())
    .action(async (id: string, opts: { reason: string; idempotencyKey?: string }, cmd: Command) =>
      write(Context.of(io, cmd), `/v1/jobs/${encodeURIComponent(id)}/decline`, { reason: opts.reason }, opts.idempotencyKey, jobLine('declined')));
  for (const [verb, past] of [['start', 'started'], ['finish', 'finished']] as const) {
    jobs.command(`${verb} <jobId>`).description(`report the actual ${verb} of a job`)
      .requiredOption('--machine <machineId>', 'the machine that ran it')
      .option('--twin-snapshot <id>', 'twin snapshot to reference (default: the gateway records one)')
      .addOption(new Option('--output-hash <sha256>', 'hash of the produced output').argParser(parse.sha256('--output-hash')))
      .option('--note <text>', 'free text')
      .addOption(idempotencyOption())
      .action(async (id: string, opts: { machine: string; twinSnapshot?: string; outputHash?: string; note?: string; idempotencyKey?: string }, cmd: Command) => {
        const body = { machineId: opts.machine, twinSnapshotId: opts.twinSnapshot, outputHash: opts.outputHash, note: opts.note };
        await write(Context.of(io, cmd), `/v1/jobs/${encodeURIComponent(id)}/${verb}`, JSON.parse(JSON.stringify(body)), opts.idempotencyKey, jobLine(past));
      });
  }

  // parts
  const parts = program.command('parts').description('parts');
  parts.command('qc <partId>').description('record the QC result of a part')
    .addOption(new Option('--result <result>', 'pass or fail').choices(['pass', 'fail']).makeOptionMandatory())
    .addOption(new Option('--report-hash <sha256>', 'SHA-256 of the QC report').argParser(parse.sha256('--report-hash')).makeOptionMandatory())
    .option('--measurement <name=value...>', 'measurements, e.g. --measurement boreMm=12.002')
    .addOption(idempotencyOption())
    .action(async (id: string, opts: { result: string; reportHash: string; measurement?: string[]; idempotencyKey?: string }, cmd: Command) => {
      const measurements: Record<string, number> = {};
      for (const m of opts.measurement ?? []) {
        const match = /^([A-Za-z][A-Za-z0-9_]{0,47})=(-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.exec(m);
        if (!match) throw new CliError('USAGE', `--measurement "${m}" must be name=number, e.g. boreMm=12.002`);
        measurements[match[1]!] = Number(match[2]);
      }
      await write(Context.of(io, cmd), `/v1/parts/${encodeURIComponent(id)}/qc`, { result: opts.result, reportHash: opts.reportHash, measurements }, opts.idempotencyKey,
        (p) => `recorded QC ${p.qc?.result} for part ${p.id}: status ${p.status}`);
    });

  // trace
  program.command('trace <partId>').description('a part’s full history as a timeline (--json: the raw trace)')
    .addOption(new Option('--max-depth <n>', 'how deep to follow consumed parts and lots (0-10)').argParser(parse.positiveInt('--max-depth', 10)))
    .action(async (id: string, opts: { maxDepth?: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const client = await ctx.client();
      const path = `/v1/parts/${encodeURIComponent(id)}/trace`;
      const first = await client.get<Json>(path, { maxDepth: opts.maxDepth, pageSize: 1000 });
      const entries: Json[] = [...first.entries];
      for (let token = first.nextPageToken as string | null; token; ) {
        const next = await client.get<Json>(path, { maxDepth: opts.maxDepth, pageSize: 1000, pageToken: token });
        entries.push(...next.entries);
        token = next.nextPageToken;
      }
      const trace: Json = { ...first, entries, nextPageToken: null };
      ctx.print(trace, () => {
        const order = trace.order as Json | null;
        const head = `part ${trace.partId}${order ? ` of order ${order.id} (${order.spec?.name}, buyer ${order.buyerMsp})` : ''}: ${entries.length} entries, ${Object.keys(trace.machines ?? {}).length} machines, ${Object.keys(trace.anchors ?? {}).length} anchors`;
        const rows = entries.map((e) => [date(e.at), e.depth, `${e.subject?.kind} ${e.subject?.id}`, e.type, e.mspId, compact(e.data, 50), truncate(String(e.txId), 12)]);
        return `${head}\n\n${table(['at', 'depth', 'subject', 'event', 'by', 'details', 'tx'], rows)}`;
      });
    });
}
