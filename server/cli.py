"""The `service-catalog` command line."""

from __future__ import annotations

import asyncio
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from core.settings import Settings, SettingsError, load_settings, load_settings_or_exit

cli = typer.Typer(
    help="Service Catalog: a GraphQL catalog for running Salesforce services.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"service-catalog {version('service-catalog')}")
        raise typer.Exit()


@cli.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Service Catalog: a GraphQL catalog for running Salesforce services."""


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The configured database URL, or the embedded server's (started now, stopped on exit)."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    from server.embedded import EmbeddedDatabaseUnavailable, embedded_url, start_embedded

    try:
        server = start_embedded(settings.data_dir)
    except EmbeddedDatabaseUnavailable as error:
        typer.echo(f"service-catalog: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"using the embedded PostgreSQL in {settings.data_dir / 'postgres'}", err=True)
    with server:
        yield embedded_url(server)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_worker: Annotated[
        bool, typer.Option("--with-worker", help="Run the scheduled jobs in-process too (dev).")
    ] = False,
) -> None:
    """Serve the API (migrating first when the database is embedded or CATALOG_AUTO_MIGRATE)."""
    # Read first: a bad setting is one line, before the imports below can print a warning.
    settings = load_settings_or_exit()

    import uvicorn

    from core.db import check_database
    from server.app import create_app
    from server.migrations import migrate

    with database(settings) as url, demo_salesforce(settings) as settings:
        if settings.uses_embedded_database or settings.auto_migrate:
            asyncio.run(migrate(settings.direct_database_url(url)))
        else:
            asyncio.run(check_database(url, transaction_pooler=settings.uses_transaction_pooler))
        typer.echo(f"serving GraphQL on http://{host}:{port}/graphql", err=True)
        with development_sign_in(settings, host, port) as dev_token:
            app = create_app(
                settings, database_url=url, with_worker=with_worker, dev_token=dev_token
            )
            # Our logging (core/logs.py) and access log (server/access_log.py), not
            # uvicorn's. No proxy-header rewriting: server/client_ip.py alone reads
            # X-Forwarded-For, and only from CATALOG_TRUSTED_PROXIES.
            uvicorn.run(
                app,
                host=host,
                port=port,
                access_log=False,
                log_config=None,
                proxy_headers=False,
            )


@contextmanager
def development_sign_in(settings: Settings, host: str, port: int) -> Iterator[str | None]:
    """In dev with no issuer: a new token, its sign-in URL printed and its file written.

    The file (`CATALOG_DATA_DIR/dev-token`, mode 0600) is for scripts on this machine; it is
    removed on exit. Without the token nobody is the development person.
    """
    from server import dev_sign_in

    if not dev_sign_in.applies(settings):
        yield None
        return
    token = dev_sign_in.new_token()
    try:
        path: Path | None = dev_sign_in.write_token_file(settings.data_dir, token)
    except OSError as error:
        path = None
        typer.echo(f"service-catalog: could not write the dev-token file: {error}", err=True)
    typer.echo(f"Development sign-in: {dev_sign_in.sign_in_url(host, port, token)}", err=True)
    warning = dev_sign_in.exposure_warning(host)
    if warning is not None:
        typer.echo(warning, err=True)
    try:
        yield token
    finally:
        if path is not None:
            dev_sign_in.remove_token_file(path, token)


@contextmanager
def demo_salesforce(settings: Settings) -> Iterator[Settings]:
    """In dev without CATALOG_SALESFORCE_ORGS: a fake Salesforce serving the demo orgs."""
    from server.demo.salesforce import start_demo_salesforce

    demo = start_demo_salesforce(settings)
    if demo is None:
        yield settings
        return
    typer.echo(f"demo Salesforce (fake) at {demo.fake.url}, for the demo orgs", err=True)
    try:
        yield demo.settings
    finally:
        demo.fake.stop()


@cli.command("migrate")
def migrate_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations."""
    from server.migrations import migrate

    settings = load_settings_or_exit()
    with database(settings) as url:
        asyncio.run(migrate(settings.direct_database_url(url), revision))
    typer.echo(f"database migrated to {revision}", err=True)


# What `seed --demo` runs once against the demo's fake Salesforce.
DEMO_JOBS = ("salesforce-trust-incidents", "salesforce-trust-calendar")


@cli.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo organisation.")] = False,
) -> None:
    """Load demo data (safe to run twice)."""
    if not demo:
        typer.echo("service-catalog seed: nothing to do; pass --demo", err=True)
        raise typer.Exit(2)
    from server.demo.seed import seed_demo_report
    from server.migrations import migrate

    settings = load_settings_or_exit()
    with database(settings) as url, demo_salesforce(settings) as live:
        asyncio.run(migrate(settings.direct_database_url(url)))
        report = asyncio.run(seed_demo_report(url, settings=settings))
        typer.echo(report.summary(), err=True)
        if live is not settings:
            # The demo's fake Salesforce is up: its Trust incidents and maintenance calendar
            # are read now (the seasonal releases, their org dates and upgrade freezes), as
            # the worker would; the event logs are left to the worker (a quarter of them).
            from server.jobs import run_jobs_once

            for line in asyncio.run(run_jobs_once(live, url, DEMO_JOBS, deliveries=False)):
                typer.echo(line, err=True)
    note = report.webhook_note()
    if note is not None:
        typer.echo(note, err=True)


@cli.command("import-ideas")
def import_ideas_command(
    org: Annotated[
        list[str] | None,
        typer.Option(help="Credentials reference of an org; every configured org when omitted."),
    ] = None,
) -> None:
    """Import Salesforce Ideas that name a service as feedback (safe to run again)."""
    from server.ideas_import import run_ideas_import

    settings = load_settings_or_exit()
    if not settings.salesforce_orgs:
        typer.echo("service-catalog: no org in CATALOG_SALESFORCE_ORGS", err=True)
        raise typer.Exit(2)
    with database(settings) as url:
        outcomes = asyncio.run(run_ideas_import(settings, url, org or ()))
    for ref, outcome, _ in outcomes:
        typer.echo(f"{ref}: {outcome}", err=True)
    if not all(worked for _, _, worked in outcomes):
        raise typer.Exit(1)


IMPORT_CATALOG_HELP = """Import services, teams and shared resources from Backstage entity files
or CSV, upserted by slug (safe to run again).

\b
Backstage (*.yaml, *.yml; several documents a file): Component -> service
(spec.owner team, spec.lifecycle experimental|production|deprecated, spec.system as the
tag system:<name>, spec.dependsOn and spec.consumesApis as dependencies, annotation
salesforce.com/org-id as its orgs, servicecatalog.io/tier and /data-classification);
Group -> team (spec.type business-unit: a business unit); Resource and API -> shared
resource; User -> team memberships of a person who already signed in; System -> a tag.
$text, $yaml and $json placeholders are refused.

\b
CSV (*.csv), one service a row, lists separated by ";", empty cells left as stored:
slug,name,owner,lifecycle[,tier,description,tags,system,depends_on,
salesforce_org_ids,data_classification,compliance_regimes,runbook_url,repo_url,
dashboard_url]

Each record is reported created, updated, unchanged, refused (with the reason, nothing of
it written) or skipped. Exit 0; 1 when a record was refused; 2 when a file cannot be read.
"""


@cli.command("import-catalog", help=IMPORT_CATALOG_HELP)
def import_catalog_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, or folders of .yaml, .yml and .csv files.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
) -> None:
    from server import subscribers
    from server.catalog_import import ImportRefused, read_entries, run_catalog_import
    from server.migrations import migrate

    try:
        read_entries(paths)  # a file that cannot be read refuses the run before any start-up
    except ImportRefused as error:
        typer.echo(f"service-catalog import-catalog: refused: {error}", err=True)
        raise typer.Exit(2) from None
    settings = load_settings_or_exit()
    subscribers.wire(settings)  # the same reactions as the API's (SLA clocks on a tier change)
    with database(settings) as url:
        if settings.uses_embedded_database:
            asyncio.run(migrate(url))
        try:
            run = asyncio.run(run_catalog_import(settings, url, paths, dry_run=dry_run))
        except ImportRefused as error:
            typer.echo(f"service-catalog import-catalog: refused: {error}", err=True)
            raise typer.Exit(2) from None
    for line in run.report.records:
        typer.echo(line.line())
    typer.echo(run.report.summary(), err=True)
    raise typer.Exit(run.exit_code)


@cli.command()
def schema(
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    federation: Annotated[
        bool, typer.Option(help="The Apollo Federation v2 subgraph's SDL (served at /subgraph).")
    ] = False,
) -> None:
    """Print the GraphQL SDL."""
    if federation:
        from graphql_schema.federation.schema import subgraph_sdl

        text = subgraph_sdl()
    else:
        from graphql_schema.schema import sdl

        text = sdl()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)


@cli.command("export")
def export_command(
    file: Annotated[str, typer.Argument(help="The file to write; - for standard output.")],
) -> None:
    """Write every table to FILE as versioned JSON Lines, from one consistent snapshot."""
    from server.exchange import run_export

    settings = load_settings_or_exit()
    with database(settings) as url:
        code = run_export(url, file)
    raise typer.Exit(code)


@cli.command("import")
def import_command(
    file: Annotated[str, typer.Argument(help="An export file; - for standard input.")],
) -> None:
    """Load an export FILE into an empty, migrated database: all of it or nothing."""
    from server.exchange import run_import

    settings = load_settings_or_exit()
    with database(settings) as url:
        code = run_import(url, file)
    raise typer.Exit(code)


@cli.command()
def worker(
    once: Annotated[
        list[str] | None,
        typer.Option(
            "--once",
            metavar="JOB",
            help="Run this job now, once, and exit (repeatable), e.g. --once sla-evaluation.",
        ),
    ] = None,
) -> None:
    """Run the scheduled jobs (server/jobs/), once across replicas, until SIGINT or SIGTERM."""
    from server.jobs import JOBS, run_jobs_once, run_worker

    unknown = [name for name in once or [] if name not in JOBS]
    if unknown:
        typer.echo(f"unknown job {unknown[0]!r}; the jobs are: {', '.join(JOBS)}", err=True)
        raise typer.Exit(2)
    settings = load_settings_or_exit()
    # In dev without CATALOG_SALESFORCE_ORGS, the Salesforce jobs read the demo's fake, as
    # `serve` does (its records are made the same way in every process).
    with database(settings) as url, demo_salesforce(settings) as settings:
        if once:
            for line in asyncio.run(run_jobs_once(settings, url, once)):
                typer.echo(line)
            return
        asyncio.run(run_worker(settings, url))


@cli.command()
def purge(
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print what a run would remove or anonymise; change nothing."
        ),
    ] = False,
) -> None:
    """Remove or anonymise what the retention settings no longer keep; report it per kind."""
    from server.jobs.purge import run_purge

    settings = load_settings_or_exit()
    with database(settings) as url:
        report = asyncio.run(run_purge(settings, url, dry_run=dry_run))
    for line in report.lines():
        typer.echo(line)


def configure_logs() -> None:
    """CATALOG_LOG_LEVEL and CATALOG_LOG_FORMAT; a wrong setting is the command's to report."""
    from core.logs import configure_logging

    try:
        settings = load_settings()
    except SettingsError:
        configure_logging()
        return
    configure_logging(settings.log_level, settings.log_format)


def main() -> None:
    configure_logs()
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    # SIGTERM (docker stop, systemd, kill) unwinds like Ctrl-C, so the embedded
    # PostgreSQL is stopped on the way out instead of being left running.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        cli()
    except Exception as error:
        from core.db_failures import database_failure

        line = database_failure(error)
        if line is None:
            raise
        typer.echo(f"service-catalog: {line}", err=True)
        raise SystemExit(2) from None
