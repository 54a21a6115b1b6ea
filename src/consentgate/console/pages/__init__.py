"""The console's pages (queue, cases, appeals, banks, reports), each an APIRouter."""

from __future__ import annotations

from fastapi import APIRouter

PAGES: tuple[APIRouter, ...] = ()
