"""The command line every experiment script shares: ``--quick`` and ``--out``, then the JSON.

``python experiments/<name>.py`` runs the full configuration and writes the cached result the
chapter reads, ``book/data/<name>.json``; ``--quick`` runs a tiny configuration (what
``tests/test_experiments.py`` runs) and writes to the temporary directory unless ``--out``
says where. Each script passes its ``run(quick)`` and its default output path.
"""
import argparse
import json
import tempfile
from pathlib import Path


def main(run, out_default, description, argv=None):
    """Parse ``argv``, call ``run(quick=...)``, write its dict as JSON; return the dict."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny configuration (< 20 s)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write the JSON (default: book/data/{out_default.name}; "
                             "with --quick, a file in the temporary directory)")
    args = parser.parse_args(argv)
    quick_out = Path(tempfile.gettempdir()) / f"{out_default.stem}_quick.json"
    out = args.out or (quick_out if args.quick else out_default)
    results = run(quick=args.quick)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({results['runtime_seconds']} s)")
    return results
