"""Export and import of the whole catalog as versioned JSON Lines (SPEC: "Nothing lost")."""

from server.exchange.commands import run_export, run_import
from server.exchange.export import export_database
from server.exchange.format import FORMAT, FORMAT_VERSION, ExchangeRefused
from server.exchange.importer import import_database

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExchangeRefused",
    "export_database",
    "import_database",
    "run_export",
    "run_import",
]
