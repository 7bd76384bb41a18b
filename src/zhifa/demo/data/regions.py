"""One province, two cities, four counties; real GB/T 2260 codes (2023 list).

``government`` is the people's government of the division: under the Administrative
Reconsideration Law (2023) art. 24 it hears reconsideration of its departments' decisions.
"""

from typing import NamedTuple


class RegionSpec(NamedTuple):
    code: str
    name: str
    parent: str | None
    government: str


REGIONS: list[RegionSpec] = [
    RegionSpec("430000", "湖南省", None, "湖南省人民政府"),
    RegionSpec("430100", "长沙市", "430000", "长沙市人民政府"),
    RegionSpec("430102", "芙蓉区", "430100", "长沙市芙蓉区人民政府"),
    RegionSpec("430104", "岳麓区", "430100", "长沙市岳麓区人民政府"),
    RegionSpec("430300", "湘潭市", "430000", "湘潭市人民政府"),
    RegionSpec("430302", "雨湖区", "430300", "湘潭市雨湖区人民政府"),
    RegionSpec("430381", "湘乡市", "430300", "湘乡市人民政府"),
]

PROVINCE = "430000"
# Counties under each region, for the address codes of the people's ID numbers.
COUNTIES_UNDER = {
    "430000": ["430102", "430104", "430302", "430381"],
    "430100": ["430102", "430104"],
    "430300": ["430302", "430381"],
    "430102": ["430102"],
    "430104": ["430104"],
    "430302": ["430302"],
    "430381": ["430381"],
}


class SectorSpec(NamedTuple):
    code: str
    name: str


# Stable English codes; the names are the usual enforcement categories (执法类别).
SECTORS: list[SectorSpec] = [
    SectorSpec("market", "市场监管"),
    SectorSpec("ecology", "生态环境"),
    SectorSpec("urban", "城市管理综合执法"),
    SectorSpec("transport", "交通运输"),
    SectorSpec("emergency", "应急管理"),
    SectorSpec("culture", "文化市场"),
    SectorSpec("agriculture", "农业农村"),
    SectorSpec("natural_resources", "自然资源"),
    SectorSpec("justice", "司法行政"),
]
