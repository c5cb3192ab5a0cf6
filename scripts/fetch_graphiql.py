"""Fetch GraphiQL's scripts and styles from the npm registry, so GraphiQL works without a CDN.

Usage: ``python scripts/fetch_graphiql.py [DESTINATION]`` (default ``var/graphiql``, the
``HANOISMART_GRAPHIQL_ASSETS_DIR`` default). ``make serve`` and ``make test`` run it; it does nothing
when the pinned versions are already there.

Each tarball is checked against the sha512 ``dist.integrity`` pinned below (the registry's own value
when the pin was made); a tarball that differs is refused and nothing is written. Only the files
listed are unpacked, with each package's licence. Standard library only: it runs before any install.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DESTINATION = ROOT / "var" / "graphiql"
MANIFEST = "manifest.json"

#: (package, version, dist.integrity, {file in the tarball: file served under /graphql/static/})
PACKAGES: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "react",
        "18.2.0",
        "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
        {"package/umd/react.production.min.js": "react.production.min.js", "package/LICENSE": "react.LICENSE"},
    ),
    (
        "react-dom",
        "18.2.0",
        "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
        {
            "package/umd/react-dom.production.min.js": "react-dom.production.min.js",
            "package/LICENSE": "react-dom.LICENSE",
        },
    ),
    (
        "graphiql",
        "3.8.3",
        "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
        {
            "package/graphiql.min.js": "graphiql.min.js",
            "package/graphiql.min.css": "graphiql.min.css",
            "package/LICENSE": "graphiql.LICENSE",
        },
    ),
]


def pinned_manifest() -> dict[str, str]:
    return {name: version for name, version, _integrity, _files in PACKAGES}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(destination: Path) -> bool:
    """Fetch and unpack every package unless the pinned versions are there; True when it wrote files."""
    manifest_file = destination / MANIFEST
    wanted = [served for *_rest, files in PACKAGES for served in files.values()]
    pinned = manifest_file.exists() and json.loads(manifest_file.read_text()) == pinned_manifest()
    if pinned and all((destination / name).is_file() for name in wanted):
        return False
    unpacked: dict[str, bytes] = {}
    for name, version, integrity, files in PACKAGES:
        metadata = json.loads(_get(f"{REGISTRY}/{name}/{version}"))
        if metadata["dist"]["integrity"] != integrity:
            raise SystemExit(
                f"{name}@{version}: the registry now says {metadata['dist']['integrity']}, pinned {integrity}"
            )
        tarball = _get(metadata["dist"]["tarball"])
        if _integrity(tarball) != integrity:
            raise SystemExit(
                f"{name}@{version}: the tarball does not match its pinned sha512 integrity; nothing written"
            )
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member, served in files.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{name}@{version}: {member} is not a file in the tarball")
                unpacked[served] = extracted.read()
        print(f"fetched {name}@{version} ({len(tarball):,} bytes, {integrity[:20]}... verified)")
    destination.mkdir(parents=True, exist_ok=True)
    for served, data in unpacked.items():
        (destination / served).write_bytes(data)
    manifest_file.write_text(json.dumps(pinned_manifest(), indent=2) + "\n")
    return True


def main() -> None:
    destination = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DEFAULT_DESTINATION
    try:
        wrote = fetch(destination)
    except OSError as exc:
        raise SystemExit(f"Could not fetch GraphiQL from {REGISTRY}: {exc}") from exc
    print(f"GraphiQL assets {'written to' if wrote else 'up to date in'} {destination}")


if __name__ == "__main__":
    main()
