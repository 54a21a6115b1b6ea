"""``consentgate hash``: PDQ (hex, quality), MD5 and SHA-256 of image files.

This is also how a person enrols their own photo without handing it over: hash
it on their own device and send only the hashes.
"""

from __future__ import annotations

from pathlib import Path

import click

from consentgate.cli.context import app_context
from consentgate.cli.output import print_json, print_table
from consentgate.hashing.image import ImageHashes, hash_file
from consentgate.images.limits import ImageLimits


def _row(path: Path, hashes: ImageHashes, dihedral: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "file": str(path),
        "pdq": hashes.pdq,
        "quality": hashes.quality,
        "md5": hashes.md5,
        "sha256": hashes.sha256,
    }
    if dihedral:
        row["dihedral"] = list(hashes.dihedral)
    return row


@click.command("hash")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--dihedral", is_flag=True, help="Also the 7 rotated/mirrored PDQ hashes.")
def hash_images(images: tuple[Path, ...], as_json: bool, dihedral: bool) -> None:
    """Print PDQ (hex and quality 0-100), MD5 and SHA-256 for each IMAGE.

    PDQ hashes with quality below 50 are never matched against banks.
    """
    limits = ImageLimits.from_settings(app_context().settings)
    rows = [
        _row(path, hash_file(path, limits=limits, dihedral=dihedral), dihedral) for path in images
    ]
    if as_json:
        print_json(rows)
        return
    columns = ("file", "pdq", "quality", "md5", "sha256")
    print_table("hashes", columns, [[r[c] for c in columns] for r in rows])
