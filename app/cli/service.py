"""`rolodex serve` and `rolodex openapi`: run the API, and write the OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from portability.bundle.schema import current_schema

OPENAPI_PATH = Path("openapi/openapi.json")
BUNDLE_SCHEMA_PATH = Path("openapi/bundle.schema.json")


def render_openapi(document: dict[str, Any]) -> str:
    """The committed form of the OpenAPI document: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def register(cli: typer.Typer) -> None:
    @cli.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
        workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
        reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    ) -> None:
        """Serve the API with uvicorn (Ctrl-C stops it)."""
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_config=None,
            proxy_headers=False,
        )

    @cli.command()
    def openapi(
        output: Annotated[Path, typer.Option(help="Where to write the document.")] = OPENAPI_PATH,
    ) -> None:
        """Write the OpenAPI document the app serves to openapi/openapi.json."""
        from app.main import create_app
        from app.settings import Settings

        document = create_app(Settings(migrate_on_startup=False)).openapi()
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_openapi(document))
        bundle_schema = output.parent / BUNDLE_SCHEMA_PATH.name
        bundle_schema.write_text(render_openapi(current_schema()))
        typer.echo(f"wrote {output} and {bundle_schema}")
