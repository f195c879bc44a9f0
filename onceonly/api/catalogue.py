"""The public, machine-readable catalogue of life events (no sign-in needed)."""

from fastapi import APIRouter

from onceonly.domain.catalogue import CATALOGUE, Catalogue

router = APIRouter(tags=["catalogue"])


@router.get("/v1/catalogue")
async def read_catalogue() -> Catalogue:
    """Every life event with its steps, agencies, purposes, legal bases and fields."""
    return CATALOGUE
