"""Compare every table of two runs of the workflow (results/ and the generated world):
Parquet and CSV files must hold equal tables. Exit 1 listing the differences."""

import sys
from pathlib import Path

import pandas as pd

a, b = (Path(p) for p in sys.argv[1:3])
patterns = ["results/**/*.parquet", "results/**/*.csv", "resources/raw/**/*.parquet"]
files = sorted({p.relative_to(a) for pat in patterns for p in a.glob(pat)})
if not files:
    sys.exit(f"no tables found under {a}")
bad = []
for rel in files:
    other = b / rel
    if not other.exists():
        bad.append(f"{rel}: missing in {b}")
        continue
    read = pd.read_parquet if rel.suffix == ".parquet" else pd.read_csv
    x, y = read(a / rel), read(other)
    if rel.name == "reconciliation.csv" and "seconds" in x:  # timings differ by nature
        x, y = x.drop(columns="seconds"), y.drop(columns="seconds")
    try:
        pd.testing.assert_frame_equal(x, y)
    except AssertionError as err:
        bad.append(f"{rel}: {str(err).splitlines()[0]}")
print(f"compared {len(files)} tables")
if bad:
    print("\n".join(bad))
    sys.exit(1)
