"""Power-list (权责清单) templates per sector. Every body of the sector gets the templates
that fit its level and kind; the loader gives each item its body's code and offices.

Time limits: general-procedure penalties 90 calendar days (行政处罚法 art. 60); licensing
20 working days (行政许可法 arts. 42, 82) unless a special law says otherwise; seizure 30
calendar days (行政强制法 arts. 25, 69).

Entrusted organisations (行政处罚法 art. 20) get penalties and inspections only: coercive
measures cannot be entrusted (行政强制法 art. 17), and they do not license.
"""

from typing import NamedTuple

from .laws.environment import AIR, DISCHARGE_PERMIT, EIA, ENVIRONMENT, SOLID_WASTE, WATER
from .laws.general import COERCION, LICENSING
from .laws.market import ADVERTISING, CONSUMER, EQUIPMENT, FOOD, PRICE, PRODUCT
from .laws.other import ANIMAL, COPYRIGHT, ENTERTAINMENT, LAWYERS, WORK_SAFETY
from .laws.planning import CITY_APPEARANCE, HIGHWAY, LAND, PLANNING, URBAN_ROAD

Ref = tuple[str, int]

ALL_LEVELS = frozenset({"province", "city", "county"})
LOCAL = frozenset({"city", "county"})


class ItemSpec(NamedTuple):
    key: str
    name: str
    category: str
    procedure: str
    basis: tuple[Ref, ...]
    time_limit: int | None = None
    time_unit: str = ""
    levels: frozenset[str] = ALL_LEVELS
    # May an entrusted organisation hold it? Entrusted organisations act in the entrusting
    # organ's name; coercive measures cannot be entrusted (行政强制法 art. 17) and licensing
    # stays with the organ.
    entrusted: bool = True


def _penalty(key: str, name: str, *basis: Ref, levels: frozenset[str] = ALL_LEVELS) -> ItemSpec:
    return ItemSpec(key, name, "penalty", "general", basis, 90, "calendar_day", levels)


def _licence(key: str, name: str, *basis: Ref, days: int = 20,
             levels: frozenset[str] = LOCAL) -> ItemSpec:
    return ItemSpec(key, name, "licensing", "licensing", basis, days, "working_day", levels,
                    entrusted=False)


def _seizure(key: str, name: str, *basis: Ref) -> ItemSpec:
    return ItemSpec(key, name, "coercion", "coercive", (*basis, (COERCION, 9), (COERCION, 25)),
                    30, "calendar_day", LOCAL, entrusted=False)


def _inspection(key: str, name: str, *basis: Ref) -> ItemSpec:
    return ItemSpec(key, name, "inspection", "inspection", basis)


ITEMS: dict[str, list[ItemSpec]] = {
    "market": [
        _penalty("food-unlicensed", "对未取得食品经营许可从事食品经营活动的行政处罚",
                 (FOOD, 35), (FOOD, 122), levels=LOCAL),
        _penalty("food-expired", "对经营超过保质期的食品的行政处罚", (FOOD, 124), levels=LOCAL),
        _penalty("food-label", "对经营标签、说明书不符合规定的食品的行政处罚", (FOOD, 67),
                 (FOOD, 71), (FOOD, 125), levels=LOCAL),
        _penalty("food-records", "对食品经营者未按规定查验进货、建立并遵守进货查验记录制度的"
                 "行政处罚", (FOOD, 53), (FOOD, 126), levels=LOCAL),
        _penalty("price-tag", "对经营者违反明码标价规定的行政处罚", (PRICE, 13), (PRICE, 42)),
        _penalty("product-fake", "对销售者在产品中掺杂、掺假，以假充真，以次充好的行政处罚",
                 (PRODUCT, 39), (PRODUCT, 50)),
        _penalty("advert-banned", "对发布含有“国家级”“最高级”“最佳”等用语广告的行政处罚",
                 (ADVERTISING, 9), (ADVERTISING, 57)),
        _penalty("consumer-rights", "对经营者侵害消费者权益行为的行政处罚", (CONSUMER, 56),
                 levels=LOCAL),
        _penalty("equipment-unregistered", "对使用特种设备未按照规定办理使用登记的行政处罚",
                 (EQUIPMENT, 33), (EQUIPMENT, 83), levels=LOCAL),
        _seizure("food-seizure", "查封、扣押不符合食品安全标准的食品及违法生产经营场所",
                 (FOOD, 110)),
        _seizure("product-seizure", "查封、扣押涉嫌不符合国家标准、行业标准的产品",
                 (PRODUCT, 18)),
        _inspection("food-inspection", "对食品经营者的监督检查", (FOOD, 110)),
        _licence("food-licence", "食品经营许可", (FOOD, 35), (LICENSING, 42)),
        ItemSpec("equipment-registration", "特种设备使用登记", "confirmation", "generic",
                 ((EQUIPMENT, 33),), levels=LOCAL, entrusted=False),
    ],
    "ecology": [
        _penalty("air-excess", "对超过大气污染物排放标准排放大气污染物的行政处罚", (AIR, 99)),
        _penalty("water-excess", "对超过水污染物排放标准排放水污染物的行政处罚", (WATER, 83)),
        _penalty("water-evasion", "对私设暗管等逃避监管方式排放水污染物的行政处罚",
                 (WATER, 39), (WATER, 83)),
        _penalty("eia-unapproved", "对建设项目环境影响评价文件未经批准擅自开工建设的行政处罚",
                 (EIA, 25), (EIA, 31), levels=LOCAL),
        _penalty("permit-missing", "对未取得排污许可证排放污染物的行政处罚",
                 (DISCHARGE_PERMIT, 2), (DISCHARGE_PERMIT, 33), levels=LOCAL),
        _seizure("pollution-seizure", "查封、扣押造成污染物排放的设施、设备", (ENVIRONMENT, 25)),
        _inspection("discharge-inspection", "对排污单位的现场检查", (ENVIRONMENT, 24)),
        _licence("discharge-permit", "排污许可证核发", (DISCHARGE_PERMIT, 2), (LICENSING, 42),
                 levels=frozenset({"city"})),
        _licence("eia-approval", "建设项目环境影响报告表审批", (EIA, 22), days=30,
                 levels=frozenset({"city"})),
    ],
    "urban": [
        _penalty("cooking-fumes", "对餐饮服务业经营者超过排放标准排放油烟的行政处罚",
                 (AIR, 81), (AIR, 118)),
        _penalty("open-barbecue", "对在禁止的时段和区域内露天烧烤食品的行政处罚",
                 (AIR, 81), (AIR, 118)),
        _penalty("waste-dumping", "对随意倾倒、抛撒、堆放或者焚烧生活垃圾的行政处罚",
                 (SOLID_WASTE, 111)),
        _penalty("construction-waste", "对工程施工单位擅自倾倒、抛撒或者堆放建筑垃圾的行政处罚",
                 (SOLID_WASTE, 111), levels=frozenset({"county"})),
        _penalty("graffiti", "对在城市建筑物、设施上涂写、刻画或者擅自张贴宣传品的行政处罚",
                 (CITY_APPEARANCE, 17), (CITY_APPEARANCE, 34), levels=frozenset({"county"})),
        _penalty("street-stacking", "对擅自在街道两侧和公共场地堆放物料、搭建设施的行政处罚",
                 (CITY_APPEARANCE, 14), (CITY_APPEARANCE, 36), levels=frozenset({"county"})),
        _penalty("road-occupation", "对擅自占用或者挖掘城市道路的行政处罚",
                 (URBAN_ROAD, 27), (URBAN_ROAD, 42)),
        _penalty("planning-unpermitted", "对未取得建设工程规划许可证进行建设的行政处罚",
                 (PLANNING, 40), (PLANNING, 64), levels=frozenset({"county"})),
        ItemSpec("road-fee", "城市道路占用费征收", "levy", "generic", ((URBAN_ROAD, 37),),
                 levels=frozenset({"county"}), entrusted=False),
        _licence("road-temporary", "临时占用城市道路审批", (URBAN_ROAD, 31), (LICENSING, 42),
                 levels=frozenset({"county"})),
        _licence("posting-approval", "在城市建筑物、设施上张挂、张贴宣传品审批",
                 (CITY_APPEARANCE, 17), (LICENSING, 42), levels=frozenset({"county"})),
    ],
    "transport": [
        _penalty("highway-occupation", "对擅自占用、挖掘公路的行政处罚", (HIGHWAY, 44),
                 (HIGHWAY, 76)),
        _penalty("highway-obstruction", "对在公路上及公路用地范围内摆摊设点、堆放物品、倾倒垃圾"
                 "的行政处罚", (HIGHWAY, 46), (HIGHWAY, 77)),
        _penalty("highway-control-zone", "对在公路建筑控制区内修建建筑物、地面构筑物的行政处罚",
                 (HIGHWAY, 56), (HIGHWAY, 81)),
        _licence("highway-works", "占用、挖掘公路或者使公路改线审批", (HIGHWAY, 44),
                 (LICENSING, 42), levels=ALL_LEVELS),
        _inspection("highway-inspection", "公路监督检查", (HIGHWAY, 69)),
    ],
    "emergency": [
        _penalty("safety-organisation", "对生产经营单位未按规定设置安全生产管理机构、配备管理"
                 "人员或者开展安全生产教育培训的行政处罚", (WORK_SAFETY, 97)),
        _penalty("safety-equipment", "对安全设备的安装、使用、检测、改造和报废不符合国家标准"
                 "或者行业标准的行政处罚", (WORK_SAFETY, 99)),
        _penalty("hidden-danger", "对生产经营单位未采取措施消除事故隐患的行政处罚",
                 (WORK_SAFETY, 102)),
        _seizure("safety-seizure", "查封、扣押不符合保障安全生产标准的设施、设备、器材",
                 (WORK_SAFETY, 65)),
        _inspection("safety-inspection", "安全生产监督检查", (WORK_SAFETY, 65)),
    ],
    "culture": [
        _penalty("minors-admitted", "对歌舞娱乐场所接纳未成年人的行政处罚",
                 (ENTERTAINMENT, 23), (ENTERTAINMENT, 48)),
        _penalty("over-capacity", "对娱乐场所容纳的消费者超过核定人数的行政处罚",
                 (ENTERTAINMENT, 48)),
        _penalty("copyright-public", "对侵犯著作权并损害公共利益行为的行政处罚", (COPYRIGHT, 53)),
        _licence("entertainment-licence", "娱乐场所经营许可", (ENTERTAINMENT, 9),
                 (LICENSING, 42)),
        _inspection("venue-inspection", "对娱乐场所日常经营活动的监督检查", (ENTERTAINMENT, 3)),
    ],
    "agriculture": [
        _penalty("banned-animals", "对屠宰、经营、运输禁止屠宰、经营、运输的动物和动物产品的"
                 "行政处罚", (ANIMAL, 29), (ANIMAL, 97)),
        _penalty("no-quarantine-certificate", "对屠宰、经营、运输的动物未附有检疫证明的行政处罚",
                 (ANIMAL, 49), (ANIMAL, 100)),
        _inspection("epidemic-inspection", "对动物、动物产品检疫申报情况的监督检查",
                    (ANIMAL, 29), (ANIMAL, 49)),
    ],
    "natural_resources": [
        _penalty("illegal-occupation", "对未经批准非法占用土地的行政处罚", (LAND, 77)),
        _penalty("illegal-transfer", "对买卖或者以其他形式非法转让土地的行政处罚", (LAND, 74)),
        _penalty("completion-files", "对建设单位未在竣工验收后六个月内报送竣工验收资料的行政处罚",
                 (PLANNING, 45), (PLANNING, 67)),
        _penalty("planning-permit", "对未按照建设工程规划许可证的规定进行建设的行政处罚",
                 (PLANNING, 40), (PLANNING, 64)),
        _licence("planning-licence", "建设工程规划许可证核发", (PLANNING, 40), (LICENSING, 42)),
        _inspection("land-inspection", "土地管理监督检查", (LAND, 67), (LAND, 68)),
    ],
    "justice": [
        _penalty("lawyer-misconduct", "对律师同时在两个以上律师事务所执业等违法行为的行政处罚",
                 (LAWYERS, 47), levels=frozenset({"city"})),
        # 律师法 art. 18 sets its own limits: 20 days for the city bureau's review, then 10 for
        # the province's decision. It says 日, not 工作日 (行政许可法 art. 82 counts working
        # days only for that law's own limits), so 30 calendar days in all.
        ItemSpec("law-firm", "律师事务所设立许可", "licensing", "licensing", ((LAWYERS, 18),),
                 30, "calendar_day", frozenset({"province"}), entrusted=False),
    ],
}

# Demo item codes follow the 16-digit shape of a provincial draft (reference.md §11):
# region (6) + body (3) + kind of power (2) + item (3) + sub-item (2).
POWER_KIND_CODES = {
    "licensing": "01", "penalty": "02", "coercion": "03", "levy": "04", "payment": "05",
    "inspection": "06", "confirmation": "07", "reward": "08", "adjudication": "09",
    "requisition": "10", "other": "99",
}
