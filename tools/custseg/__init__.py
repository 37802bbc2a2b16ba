"""custseg: customer segmentation that computes every number before a model writes a word.

Layers (each imports only the ones before it):
ingest -> compute -> facts -> render; agent and build sit on top.
"""

from custseg.errors import InputError
from custseg.ingest import Dataset, IngestOptions, load

__all__ = ["Dataset", "IngestOptions", "InputError", "load"]
__version__ = "0.1.0"
