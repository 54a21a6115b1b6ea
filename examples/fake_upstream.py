"""A fake OpenAI-style image API that answers every request with a drawn landscape.

For trying ``consentgate proxy`` without a real image model: it complies with
everything, and what it returns is always the same harmless picture (sky,
hills, a sun), as ``b64_json`` or, when asked for ``"response_format": "url"``,
as a URL it serves itself. It checks no key and keeps nothing.

    python examples/fake_upstream.py --port 8091
    consentgate proxy --upstream http://127.0.0.1:8091/v1 --port 8090
"""

from __future__ import annotations

import argparse
import base64
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from consentgate.images.drawn import drawn_landscape


def create_app() -> FastAPI:
    app = FastAPI(title="fake image API")
    picture = drawn_landscape()

    async def images(request: Request) -> JSONResponse:
        if "multipart/form-data" in request.headers.get("content-type", ""):
            fmt = str((await request.form()).get("response_format") or "b64_json")
        else:
            fmt = str((await request.json()).get("response_format") or "b64_json")
        item = (
            {"url": str(request.base_url) + "files/landscape.png"}
            if fmt == "url"
            else {"b64_json": base64.b64encode(picture).decode()}
        )
        return JSONResponse({"created": int(time.time()), "data": [item]})

    async def file() -> Response:
        return Response(picture, media_type="image/png")

    app.add_api_route("/v1/images/generations", images, methods=["POST"])
    app.add_api_route("/v1/images/edits", images, methods=["POST"])
    app.add_api_route("/files/landscape.png", file, methods=["GET"])
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    options = parser.parse_args()
    uvicorn.run(create_app(), host=options.host, port=options.port, log_level="warning")
