"""Regions (GB/T 2260) and sectors: reference data for every staff account."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhifa.core.filters import filter_given
from zhifa.orgs.models import Region, RegionLevel
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import visible_regions, visible_sectors

from .common import DENIED, paginated

router = Router(tags=["regions"])


class RegionListIn(Schema):
    level: RegionLevel | None = None
    parent: str | None = None  # code of the parent region


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        # ``path`` is /province/city/.../self/: the parent's code without a query.
        codes = [c for c in obj.path.split("/") if c]
        return codes[-2] if len(codes) > 1 else None


class RegionNodeOut(Schema):
    code: str
    name: str
    level: str
    children: list["RegionNodeOut"]


RegionNodeOut.model_rebuild()


class SectorOut(Schema):
    code: str
    name: str


@router.get("/regions", response={200: list[RegionOut], **DENIED},
            operation_id="visible_regions",
            summary="List regions (GB/T 2260)")
@paginated
def regions_list(request: HttpRequest, filters: Query[RegionListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return filter_given(visible_regions(request.user).order_by("code"),
                        level=filters.level, parent__code=filters.parent)


def region_tree(user: Any) -> list[dict[str, Any]]:
    """The visible regions as a tree, from one query ordered by path (parents first)."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for region in visible_regions(user).order_by("path"):
        node = {"code": region.code, "name": region.name, "level": region.level,
                "children": []}
        nodes[region.path] = node
        parent_path = region.path[: region.path.rstrip("/").rfind("/") + 1]
        parent = nodes.get(parent_path)
        (parent["children"] if parent else roots).append(node)
    return roots


@router.get("/regions/tree", response={200: list[RegionNodeOut], **DENIED},
            operation_id="region_tree",
            summary="Regions as a tree")
def regions_tree(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return region_tree(request.user)


@router.get("/sectors", response={200: list[SectorOut], **DENIED},
            operation_id="visible_sectors",
            summary="List enforcement sectors")
def sectors_list(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return visible_sectors(request.user)
