/** `forgetrace verify <file.json>`: offline check of a record proof against its anchor. */
import type { Command } from 'commander';
import { Context, readJsonFile, type Io } from '../context';
import { CliError } from '../errors';

export function registerVerify(program: Command, io: Io): void {
  program.command('verify <file>').description('check a record proof file {payload, proof, anchor} offline; exit 0 valid, 1 invalid')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const doc = await readJsonFile(file) as { payload?: unknown; proof?: unknown; anchor?: unknown } | null;
      if (typeof doc !== 'object' || doc === null || !('payload' in doc) || typeof doc.proof !== 'object' || doc.proof === null || typeof doc.anchor !== 'object' || doc.anchor === null) {
        throw new CliError('BAD_INPUT_FILE', `${file} must be {payload, proof, anchor} (as GET /v1/anchoring/records/{id} answers, with payload = record.payload)`);
      }
      const anchor = doc.anchor as { id?: unknown; merkleRoot?: unknown };
      if (typeof anchor.id !== 'string' || typeof anchor.merkleRoot !== 'string') throw new CliError('BAD_INPUT_FILE', `${file}: anchor needs "id" and "merkleRoot" strings`);
      // Loaded on demand: the proof check is the only command that needs the gateway's code.
      const { explainRecordProof } = await import('@forgetrace/gateway/anchoring');
      const verdict = explainRecordProof(doc.payload, doc.proof as Parameters<typeof explainRecordProof>[1], { id: anchor.id, merkleRoot: anchor.merkleRoot });
      const proof = doc.proof as { recordId?: string };
      ctx.print(verdict, () => (verdict.valid ? `valid: record ${proof.recordId} is covered by anchor ${anchor.id} (root 0x${anchor.merkleRoot})` : `invalid: ${verdict.reason}: ${verdict.detail}`));
      if (!verdict.valid) throw new CliError('PROOF_INVALID', `${verdict.reason}: ${verdict.detail}`, {}, true);
    });
}
