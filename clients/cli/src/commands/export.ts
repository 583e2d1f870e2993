/** `forgetrace export epcis <partId>` and the buyer's disclosure choices (`parts disclose`). */
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { Context, type Io } from '../context';
import { CliError } from '../errors';

interface EpcisDocument {
  readonly type: string;
  readonly epcisBody?: { readonly eventList?: ReadonlyArray<{ readonly type: string; readonly eventID?: string }> };
}

export function registerExport(program: Command, io: Io): void {
  const exp = program.command('export').description('export records in standard formats');
  exp.command('epcis <partId>').description('the part’s trace as a GS1 EPCIS 2.0 JSON-LD document (eventIDs are CBV 2.0 event hashes, anchored by the gateway)')
    .option('-o, --out <file>', 'write the document to a file (default: print it)')
    .addOption(new Option('--max-depth <n>', 'how deep to follow consumed parts and lots (0-10)'))
    .action(async (partId: string, opts: { out?: string; maxDepth?: string }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const client = await ctx.client();
      const doc = await client.get<EpcisDocument>(`/v1/parts/${encodeURIComponent(partId)}/epcis`, { maxDepth: opts.maxDepth });
      const events = doc.epcisBody?.eventList ?? [];
      if (!opts.out) return void io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
      await writeFile(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
      const kinds = [...new Set(events.map((e) => e.type))].sort();
      ctx.print({ partId, file: opts.out, events: events.length, kinds }, () => `wrote ${events.length} EPCIS events of part ${partId} (${kinds.join(', ')}) to ${opts.out}`);
    });

  const parts = program.commands.find((c) => c.name() === 'parts') ?? program.command('parts').description('parts');
  parts.command('disclose <partId>').description('as the order’s buyer: choose which trace fields of the part are public (GET /public/parts/{id}/provenance), or make it private again')
    .option('--fields <pointers>', 'comma-separated: /type, /at, /mspId, /data or /data/<field>')
    .option('--private', 'remove the disclosure')
    .action(async (partId: string, opts: { fields?: string; private?: boolean }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      if (Boolean(opts.fields) === Boolean(opts.private)) throw new CliError('USAGE', 'give either --fields <pointers> or --private');
      const client = await ctx.client();
      const path = `/v1/parts/${encodeURIComponent(partId)}/disclosure`;
      if (opts.private) {
        await client.delete(path);
        return ctx.print({ partId, public: false }, () => `part ${partId} is private again`);
      }
      const fields = opts.fields!.split(',').map((f) => f.trim()).filter(Boolean);
      const d = await client.put<{ fields: string[]; recordId: string }>(path, { fields });
      ctx.print(d, () => `part ${partId}: public fields ${d.fields.join(', ')} (choice anchored as outbox record ${d.recordId})`);
    });
}
