"""``zhifa ledger verify|checkpoint|prove|consistency``, each with ``--json``.

- ``verify [--checkpoint-log PATH]``: recompute chains and tree, compare with the stored
  nodes, the signed checkpoints, the checkpoint log kept outside the database (default
  ``ZHIFA_LEDGER_CHECKPOINT_LOG``; PATH: a copy of it) and other tables' references to
  entries; exit status 1 naming the first bad entry when anything was altered, removed or
  reordered.
- ``checkpoint``: sign the current tree head; prints ``{tree_size, root_hash, algorithm,
  timestamp, signature, public_key}``.
- ``prove --seq N [--size S]``: inclusion proof, ``{leaf_index, tree_size, leaf_data,
  leaf_hash, inclusion_path, root_hash}``; ``leaf_data`` is the exact byte string whose
  leaf hash is ``leaf_hash``.
- ``consistency --old M --new N``: ``{old_size, new_size, old_root, new_root,
  consistency_path}``.

Bytes are standard base64, as in the RFC 6962 conformance vectors. Exit status 2: the
request cannot be answered (bad sizes, a changed ``ZHIFA_LEDGER_HASH``).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import ApplicationError
from zhifa.ledger import conf
from zhifa.ledger.canonical import b64
from zhifa.ledger.checkpoint_log import checkpoint_record
from zhifa.ledger.conf import LedgerMisconfigured
from zhifa.ledger.selectors import consistency_proof, inclusion_proof
from zhifa.ledger.services import checkpoint_sign
from zhifa.ledger.verify import VerifyReport, ledger_verify


def checkpoint_out(checkpoint: Any) -> dict[str, Any]:
    # The same record as the checkpoint log's line; the time as signed (UTC, to the second).
    return checkpoint_record(checkpoint)


class Command(BaseCommand):
    help = "Ledger: verify, sign a checkpoint, print inclusion and consistency proofs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Recompute and check the whole ledger.")
        verify.add_argument("--json", action="store_true")
        verify.add_argument("--quiet", action="store_true", help="No progress on stderr.")
        verify.add_argument("--checkpoint-log", type=Path, default=None, metavar="PATH",
                            help="A copy of the checkpoint log to check the database against "
                                 "(default: ZHIFA_LEDGER_CHECKPOINT_LOG, when it exists).")
        checkpoint = sub.add_parser("checkpoint", help="Sign the current tree head.")
        checkpoint.add_argument("--json", action="store_true")
        prove = sub.add_parser("prove", help="Inclusion proof of one entry.")
        prove.add_argument("--seq", type=int, required=True)
        prove.add_argument("--size", type=int, default=None,
                           help="Tree size (default: the whole ledger).")
        prove.add_argument("--json", action="store_true")
        consistency = sub.add_parser("consistency", help="Consistency proof between sizes.")
        consistency.add_argument("--old", type=int, required=True)
        consistency.add_argument("--new", type=int, required=True)
        consistency.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "verify":
                self._verify(options)
            elif action == "checkpoint":
                self._emit(options, checkpoint_out(checkpoint_sign(actor=None)))
            elif action == "prove":
                proof = inclusion_proof(seq=options["seq"], size=options["size"])
                self._emit(options, {
                    "leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
                    "leaf_data": b64(proof.leaf_data), "leaf_hash": b64(proof.leaf_hash),
                    "inclusion_path": [b64(p) for p in proof.inclusion_path],
                    "root_hash": b64(proof.root_hash),
                }, note=f"algorithm: {proof.algorithm}\nleaf_data (text): "
                        f"{proof.leaf_data.decode()}")
            else:
                cproof = consistency_proof(old=options["old"], new=options["new"])
                self._emit(options, {
                    "old_size": cproof.old_size, "new_size": cproof.new_size,
                    "old_root": b64(cproof.old_root), "new_root": b64(cproof.new_root),
                    "consistency_path": [b64(p) for p in cproof.consistency_path],
                }, note=f"algorithm: {cproof.algorithm}")
        except (ApplicationError, LedgerMisconfigured) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else str(exc)
            raise CommandError(message, returncode=2) from exc

    def _emit(self, options: dict[str, Any], data: dict[str, Any], note: str = "") -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for key, value in data.items():
            if isinstance(value, list):
                self.stdout.write(f"{key}:")
                for item in value:
                    self.stdout.write(f"  {item}")
            else:
                self.stdout.write(f"{key}: {value}")
        if note:
            self.stdout.write(note)

    def _verify(self, options: dict[str, Any]) -> None:
        show = not options["quiet"] and not options["json"] and sys.stderr.isatty()

        def progress(done: int) -> None:
            self.stderr.write(f"\r{done:,} entries checked", ending="")

        log = options["checkpoint_log"]
        if log is not None and not log.is_file():
            raise CommandError(f"no checkpoint log at {log}", returncode=2)
        report: VerifyReport = ledger_verify(progress=progress if show else None,
                                             checkpoint_log=log)
        if show:
            self.stderr.write("")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            rate = report.entries / report.seconds if report.seconds else 0
            self.stdout.write(
                f"{report.entries:,} entries ({report.algorithm}), "
                f"{report.checkpoints} checkpoint(s) and {report.cosignatures} "
                f"cosignature(s) checked in {report.seconds:.1f} s ({rate:,.0f} entries/s)")
            self.stdout.write(f"root_hash: {b64(report.root_hash)}")
            self.stdout.write(
                f"checkpoint log: {report.checkpoint_log} ({report.logged_checkpoints} "
                "checkpoint(s))" if report.checkpoint_log is not None else
                f"checkpoint log: none at {log or conf.checkpoint_log_path()}")
            for problem in report.problems:
                where = f"seq {problem.seq}" if problem.seq is not None else "ledger"
                self.stdout.write(f"  {problem.kind} at {where}: {problem.message}")
            if report.problems_total > len(report.problems):
                self.stdout.write(f"  ... {report.problems_total - len(report.problems)} more")
        if not report.ok:
            first = report.first_bad
            assert first is not None
            where = f"entry {first.seq}" if first.seq is not None else "the ledger"
            stream = f" (stream {first.stream!r})" if first.stream else ""
            raise CommandError(f"ledger verification FAILED: first bad {where}{stream}: "
                               f"{first.kind}: {first.message}", returncode=1)
        if not options["json"]:
            self.stdout.write("ledger verification OK")
