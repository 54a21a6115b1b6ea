"""``POST /v1/hash`` and ``POST /v1/match``: hashes of an image, and bank lookups."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from consentgate.api.bank_schemas import HashBody, MatchBody
from consentgate.api.deps import RecordResponse, key_with
from consentgate.api.json_route import StrictJsonRoute
from consentgate.api.problems import problem_responses
from consentgate.api.runtime import services_of
from consentgate.api.schemas import decode_base64
from consentgate.banks.records import MatchResult
from consentgate.errors import BadInput
from consentgate.hashing.image import ImageHashes, hash_image_bytes
from consentgate.images.limits import ImageLimits
from consentgate.service.keys import ApiKey, Scope

router = APIRouter(prefix="/v1", tags=["hashes"], route_class=StrictJsonRoute)

USERS = (Scope.SCREEN, Scope.BANKS_WRITE, Scope.MODERATE)
ERRORS = problem_responses(401, 403, 413, 415, 422, 429, 503)


@router.post("/hash", response_model=ImageHashes, summary="Hash an image", responses=ERRORS)
async def hash_image(
    request: Request,
    body: HashBody,
    _key: ApiKey = Depends(key_with(*USERS)),  # noqa: B008
) -> RecordResponse:
    """PDQ (with quality), MD5 and SHA-256 of an image; the image is not kept.

    The same hashes a person can compute on their own device to enrol a photo
    without ever sending it.
    """
    limits = ImageLimits.from_settings(services_of(request).settings)
    data = decode_base64(body.image, "image")
    hashes = await run_in_threadpool(hash_image_bytes, data, limits=limits, dihedral=body.dihedral)
    return RecordResponse(hashes)


@router.post(
    "/match", response_model=MatchResult, summary="Match hashes or an image", responses=ERRORS
)
async def match(
    request: Request,
    body: MatchBody,
    _key: ApiKey = Depends(key_with(*USERS)),  # noqa: B008
) -> RecordResponse:
    """Every enabled bank's entries within its threshold (PDQ) or equal (MD5)."""
    banks = services_of(request).banks.service
    if body.image is not None:
        if body.pdq or body.md5:
            raise BadInput("give an image or hashes, not both", field="image")
        data = decode_base64(body.image, "image")
        result = await run_in_threadpool(banks.match_image, data, query="image")
    elif body.pdq or body.md5:
        result = await run_in_threadpool(
            banks.match, pdq=body.pdq, quality=body.quality, md5=body.md5
        )
    else:
        raise BadInput("give pdq, md5 or an image", field="pdq")
    return RecordResponse(result)
