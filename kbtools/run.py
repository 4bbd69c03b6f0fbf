"""`python -m kbtools.run`: execute every unit of the site that the store lacks (see kbtools/engine.py).

    python -m kbtools.run              # all cores, reuse the store
    python -m kbtools.run -j1          # one unit at a time
    python -m kbtools.run --no-cache   # execute everything again
    python -m kbtools.run --shard 2/4  # a stable quarter of the units (CI matrix jobs), into this store
    python -m kbtools.run --merge DIR  # copy another store's entries (a shard's) into this one

Exit status 1 if a unit failed; each failure is printed as `docs/<page>.md:<line>: ...`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kbtools import settings
from kbtools.engine import Engine
from kbtools.fences import BlockError
from kbtools.jail import JailError
from kbtools.store import Store
from kbtools.units import site_units


def _shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"--shard {text}: write k/n with 1 <= k <= n, e.g. 1/2")
    return int(k), int(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kbtools.run", description=__doc__.split("\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=None, help="units run at once (default: all cores)")
    parser.add_argument("--no-cache", action="store_true", help="execute every unit, even those in the store")
    parser.add_argument("--shard", type=_shard, help="run only share k of n (k/n)")
    parser.add_argument("--store", type=Path, default=settings.STORE, help="the result store (default: %(default)s)")
    parser.add_argument("--docs", type=Path, default=settings.DOCS, help="the pages (default: %(default)s)")
    parser.add_argument("--merge", type=Path, action="append", default=[], help="merge another store into --store")
    args = parser.parse_args(argv)
    settings.apply_source_date_epoch()
    store = Store(args.store)
    if args.merge:
        for other in args.merge:
            print(f"[kb] merged {store.merge(Store(other))} entries from {other}", file=sys.stderr)
        return 0
    try:
        docs = args.docs.resolve()
        units = site_units(docs, docs.parent, with_modules=docs == settings.DOCS)
        engine = Engine(store, jobs=args.jobs, use_store=not args.no_cache, retry_failed=True, out=sys.stderr)
        results = engine.results(units, shard=args.shard)
    except (BlockError, JailError) as error:
        print(error, file=sys.stderr)
        return 1
    failed = [r for r in results.values() if not r["ok"]]
    for result in failed:
        print(f"\n{result['report']}", file=sys.stderr)
    executed = sorted(r["id"] for r in engine.executed)
    named = f" ({', '.join(executed)})" if 0 < len(executed) <= 20 else ""
    print(f"[kb] {len(results)} units, {len(executed)} executed{named}, {len(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
