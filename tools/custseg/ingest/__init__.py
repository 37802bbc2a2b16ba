"""Ingest: read a file, detect its source, map columns, clean with an audit, pseudonymize."""

from custseg.ingest.detect import ALL_SPECS, Detection, SourceName, SourceSpec, detect
from custseg.ingest.load import Dataset, FileInfo, IngestOptions, load
from custseg.ingest.privacy import KEY_FILE, pseudonymize, read_key, write_key

__all__ = [
    "ALL_SPECS",
    "KEY_FILE",
    "Dataset",
    "Detection",
    "FileInfo",
    "IngestOptions",
    "SourceName",
    "SourceSpec",
    "detect",
    "load",
    "pseudonymize",
    "read_key",
    "write_key",
]
