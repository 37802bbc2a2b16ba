"""Write per-customer tables as CSV quickly (pyarrow's writer), the same on every pandas."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv


def write_csv(frame: pd.DataFrame, path: str) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # Categorical columns become dictionaries; the CSV writer wants plain strings.
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    try:
        options = pacsv.WriteOptions(quoting_style="needed")
    except TypeError:  # older pyarrow quotes every string; still valid CSV
        options = pacsv.WriteOptions()
    pacsv.write_csv(table, path, write_options=options)
