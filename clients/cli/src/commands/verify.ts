/**
 * `forgetrace verify <file.json>`: offline checks, no gateway needed. A provenance bundle
 * (`GET /v1/parts/{id}/provenance`) is verified against the CA certificates given with `--ca`
 * (or pinned with `--pin`); a record proof file `{payload, proof, anchor}` against its anchor.
 * `forgetrace provenance <partId>` fetches a bundle.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { BUNDLE_FORMAT, verifyBundle } from '@forgetrace/verifier';
import { useNodeCrypto } from '@forgetrace/verifier/node';
import { Context, readJsonFile, type Io } from '../context';
import { CliError, usage } from '../errors';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in the `.pem`/`.crt` files of `dir` (a file may hold several). */
async function readCertificates(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(pem|crt)$/i.test(n)).sort();
  } catch (e) {
    throw new CliError('BAD_INPUT_FILE', `cannot read CA directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const certs: string[] = [];
  for (const name of names) certs.push(...((await readFile(join(dir, name), 'utf8')).match(PEM_CERTIFICATE) ?? []).map((c) => `${c}\n`));
  if (certs.length === 0) throw new CliError('BAD_INPUT_FILE', `no PEM certificate in ${dir} (*.pem, *.crt)`);
  return certs;
}

export function registerVerify(program: Command, io: Io): void {
  program.command('verify <file>')
    .description('check a provenance bundle (with --ca or --pin) or a record proof file {payload, proof, anchor} offline; exit 0 valid, 1 invalid')
    .option('--ca <dir>', 'directory of trusted CA certificates (*.pem, *.crt) for a bundle')
    .addOption(new Option('--pin <sha256...>', 'SHA-256 fingerprints of channel-configuration CA certificates to trust'))
    .action(async (file: string, opts: { ca?: string; pin?: string[] }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const doc = await readJsonFile(file) as Record<string, unknown> | null;
      if (typeof doc === 'object' && doc !== null && doc.format === BUNDLE_FORMAT) {
        if (!opts.ca && !opts.pin?.length) throw usage('a provenance bundle is checked against CAs you trust: give --ca <dir> or --pin <sha256>');
        const trustedRoots = opts.ca ? await readCertificates(opts.ca) : [];
        useNodeCrypto(); // same checks, native hashing and ECDSA
        const verdict = await verifyBundle(doc, { trustedRoots, pinnedFingerprints: opts.pin ?? [] });
        const c = verdict.checked;
        ctx.print(verdict, () => (verdict.valid
          ? `valid: part ${String(doc.partId)}: ${c.claims - c.records} claims in ${c.transactions} signed transactions of ${c.blocks} blocks, ${c.records} anchored records; ${verdict.completeness.proven ? `complete as of block ${verdict.completeness.asOfBlock}` : `completeness not proven: ${verdict.completeness.detail}`}`
          : `invalid: ${verdict.reason} at ${verdict.path}: ${verdict.detail}${verdict.findings.length > 1 ? ` (and ${verdict.findings.length - 1} more findings)` : ''}`));
        if (!verdict.valid) throw new CliError('PROOF_INVALID', `${verdict.reason}: ${verdict.detail}`, {}, true);
        return;
      }
      if (typeof doc !== 'object' || doc === null || !('payload' in doc) || typeof doc.proof !== 'object' || doc.proof === null || typeof doc.anchor !== 'object' || doc.anchor === null) {
        throw new CliError('BAD_INPUT_FILE', `${file} must be a provenance bundle (format ${BUNDLE_FORMAT}) or {payload, proof, anchor} (as GET /v1/anchoring/records/{id} answers, with payload = record.payload)`);
      }
      const anchor = doc.anchor as { id?: unknown; merkleRoot?: unknown };
      if (typeof anchor.id !== 'string' || typeof anchor.merkleRoot !== 'string') throw new CliError('BAD_INPUT_FILE', `${file}: anchor needs "id" and "merkleRoot" strings`);
      // Loaded on demand: the record-proof check is the only command that needs the gateway's code.
      const { explainRecordProof } = await import('@forgetrace/gateway/anchoring');
      const verdict = explainRecordProof(doc.payload, doc.proof as Parameters<typeof explainRecordProof>[1], { id: anchor.id, merkleRoot: anchor.merkleRoot });
      const proof = doc.proof as { recordId?: string };
      ctx.print(verdict, () => (verdict.valid ? `valid: record ${proof.recordId} is covered by anchor ${anchor.id} (root 0x${anchor.merkleRoot})` : `invalid: ${verdict.reason}: ${verdict.detail}`));
      if (!verdict.valid) throw new CliError('PROOF_INVALID', `${verdict.reason}: ${verdict.detail}`, {}, true);
    });

  program.command('provenance <partId>').description('fetch a part’s proof bundle (check it offline with `verify <file> --ca <dir>`)')
    .requiredOption('-o, --out <file>', 'where to write the bundle (JSON)')
    .option('--records <ids>', 'anchored outbox record ids to include, comma-separated')
    .action(async (partId: string, opts: { out: string; records?: string }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const client = await ctx.client();
      const bundle = await client.get<Record<string, unknown>>(`/v1/parts/${encodeURIComponent(partId)}/provenance`, { records: opts.records });
      await writeFile(opts.out, JSON.stringify(bundle));
      const summary = { partId, file: opts.out, transactions: (bundle.transactions as unknown[]).length, blocks: (bundle.blocks as unknown[]).length, records: (bundle.records as unknown[]).length };
      ctx.print(summary, () => `wrote the proof bundle of ${partId} to ${opts.out}: ${summary.transactions} transactions in ${summary.blocks} blocks, ${summary.records} anchored records`);
    });
}
