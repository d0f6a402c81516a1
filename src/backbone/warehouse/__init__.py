"""The warehouse: person-level data as Parquet files in the workspace, read through DuckDB."""
