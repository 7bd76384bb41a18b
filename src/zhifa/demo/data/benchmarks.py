"""Discretion benchmarks (裁量基准) for the demo province.

Statutory ranges are those of the cited articles; the tiers, their conditions and the source
documents are fictional demo content built on the usual three-tier pattern (reference.md §10,
国办发〔2022〕27号), some with a no-penalty (行政处罚法 art. 33) or mitigated (art. 32) tier.
Fixed amounts are in fen; multiples in thousandths; percentages in hundredths of a percent.

Tiers follow each other without overlapping, not even at a shared endpoint (an amount belongs
to exactly one tier), in realistic round amounts as in reference.md §10 (10,000-20,000 /
21,000-40,000 / 41,000-50,000); a mitigated tier stays below the statutory minimum. Where the
law makes a confiscation mandatory it is in every tier; where the fine is optional ("可以并处…
以下罚款") the lightest tier starts at a realistic amount, or imposes only the other mandatory
penalty without a fine.
"""

from typing import NamedTuple

from .laws.environment import AIR, DISCHARGE_PERMIT, EIA, SOLID_WASTE, WATER
from .laws.market import ADVERTISING, FOOD, PRICE, PRODUCT
from .laws.other import ANIMAL, COPYRIGHT, ENTERTAINMENT
from .laws.planning import HIGHWAY, PLANNING, URBAN_ROAD

Ref = tuple[str, int]


def yuan(amount: int) -> int:
    return amount * 100


class TierSpec(NamedTuple):
    tier: str
    min_value: int | None
    max_value: int | None
    conditions: str = ""
    kinds: tuple[str, ...] = ("fine",)
    other: str = ""


class BenchmarkSpec(NamedTuple):
    code: str
    violation: str
    sector: str
    region: str
    issuer: str | None
    violated: tuple[Ref, ...]
    penalty: tuple[Ref, ...]
    violated_text: str
    penalty_text: str
    unit: str
    statutory: tuple[int | None, int | None]
    tiers: tuple[TierSpec, ...]
    source: str


NO_PENALTY = ("初次违法且危害后果轻微，并在责令改正期限内改正的，可以不予行政处罚，"
              "同时对当事人进行教育（《中华人民共和国行政处罚法》第三十三条第一款）。")
MITIGATED = ("具有《中华人民共和国行政处罚法》第三十二条规定的应当从轻或者减轻处罚情形之一，且"
             "危害后果轻微的，可以在法定最低罚款数额以下处罚。")
LIGHTER = "初次违法，违法行为持续时间短、涉及数量少，积极配合调查并主动改正，危害后果较轻。"
ORDINARY = "不具有从轻、从重情节的一般违法行为。"
HEAVIER = ("两年内因同类违法行为受过行政处罚，或者拒不配合调查、拒不改正，或者造成较重"
           "危害后果、社会影响较大。")

_APPEARANCE = "《湖南省城市管理行政处罚裁量权基准（演示文件，虚构）》"
_MARKET = "《湖南省市场监督管理行政处罚裁量权基准（演示文件，虚构）》"
_ECOLOGY = "《湖南省生态环境行政处罚裁量基准（演示文件，虚构）》"
_CULTURE = "《湖南省文化市场行政处罚裁量权基准（演示文件，虚构）》"
_TRANSPORT = "《湖南省交通运输行政处罚裁量权基准（演示文件，虚构）》"
_RESOURCES = "《湘潭市自然资源和规划行政处罚裁量权基准（演示文件，虚构）》"

Range = tuple[int, int] | None


def _tier(name: str, amounts: Range, conditions: str, kinds: tuple[str, ...],
          other: str) -> TierSpec:
    # A tier without amounts imposes the other penalties only, without a fine.
    if amounts is None:
        return TierSpec(name, None, None, conditions, tuple(k for k in kinds if k != "fine"),
                        other)
    return TierSpec(name, *amounts, conditions, kinds, other)


def _three(lighter: Range, ordinary: Range, heavier: Range, *,
           kinds: tuple[str, ...] = ("fine",), other: str = "",
           heavy_kinds: tuple[str, ...] = (), heavy_other: str = "") -> tuple[TierSpec, ...]:
    """Lighter, ordinary and heavier tiers; ``kinds``/``other`` apply to every tier (the
    penalties the law makes mandatory), ``heavy_*`` only to the heavier one."""
    return (
        _tier("lighter", lighter, LIGHTER, kinds, other),
        _tier("ordinary", ordinary, ORDINARY, kinds, other),
        _tier("heavier", heavier, HEAVIER, (*kinds, *heavy_kinds),
              "；".join(p for p in (other, heavy_other) if p)),
    )


def _no_penalty() -> TierSpec:
    return TierSpec("no_penalty", None, None, NO_PENALTY, ())


def _mitigated(low: int, high: int, kinds: tuple[str, ...] = ("fine",),
               other: str = "") -> TierSpec:
    return TierSpec("mitigated", low, high, MITIGATED, kinds, other)


def _yuan(low: int, high: int) -> tuple[int, int]:
    return yuan(low), yuan(high)


_FOOD_SEIZED = ("fine", "confiscate_gains", "confiscate_property")

BENCHMARKS: list[BenchmarkSpec] = [
    BenchmarkSpec(
        "natural_resources-001", "建设单位未在建设工程竣工验收后六个月内报送竣工验收资料，"
        "经责令限期补报逾期不补报", "natural_resources", "430300", "xt-resources",
        ((PLANNING, 45),), ((PLANNING, 67),), "《中华人民共和国城乡规划法》第四十五条第二款",
        "《中华人民共和国城乡规划法》第六十七条", "yuan", _yuan(10000, 50000),
        _three(_yuan(10000, 20000), _yuan(21000, 40000), _yuan(41000, 50000)), _RESOURCES),
    BenchmarkSpec(
        "natural_resources-002", "未取得建设工程规划许可证进行建设，尚可采取改正措施消除对"
        "规划实施的影响", "natural_resources", "430300", "xt-resources",
        ((PLANNING, 40),), ((PLANNING, 64),), "《中华人民共和国城乡规划法》第四十条",
        "《中华人民共和国城乡规划法》第六十四条", "percent", (500, 1000),
        _three((500, 600), (700, 800), (900, 1000), other="限期改正"), _RESOURCES),
    BenchmarkSpec(
        "ecology-001", "超过大气污染物排放标准排放大气污染物", "ecology", "430000", "hn-ecology",
        ((AIR, 99),), ((AIR, 99),),
        "《中华人民共和国大气污染防治法》第九十九条第（二）项所列行为",
        "《中华人民共和国大气污染防治法》第九十九条第（二）项", "yuan",
        _yuan(100000, 1000000),
        _three(_yuan(100000, 400000), _yuan(401000, 700000), _yuan(701000, 1000000),
               heavy_kinds=("stop_production", "closure"),
               heavy_other="情节严重的，报经有批准权的人民政府批准，责令停业、关闭"),
        _ECOLOGY),
    BenchmarkSpec(
        "ecology-002", "通过私设暗管等逃避监管的方式排放水污染物", "ecology", "430000",
        "hn-ecology", ((WATER, 39),), ((WATER, 83),),
        "《中华人民共和国水污染防治法》第三十九条", "《中华人民共和国水污染防治法》第八十三条",
        "yuan", _yuan(100000, 1000000),
        _three(_yuan(100000, 400000), _yuan(401000, 700000), _yuan(701000, 1000000),
               heavy_kinds=("stop_production", "closure"),
               heavy_other="情节严重的，报经有批准权的人民政府批准，责令停业、关闭"),
        _ECOLOGY),
    BenchmarkSpec(
        "ecology-003", "建设项目环境影响报告表未经批准擅自开工建设", "ecology", "430000",
        "hn-ecology", ((EIA, 25),), ((EIA, 31),), "《中华人民共和国环境影响评价法》第二十五条",
        "《中华人民共和国环境影响评价法》第三十一条第一款", "percent", (100, 500),
        _three((100, 200), (210, 350), (360, 500), other="责令停止建设",
               heavy_other="并可以责令恢复原状"),
        _ECOLOGY),
    BenchmarkSpec(
        "ecology-004", "未取得排污许可证排放污染物", "ecology", "430000", "hn-ecology",
        ((DISCHARGE_PERMIT, 2),), ((DISCHARGE_PERMIT, 33),), "《排污许可管理条例》第二条",
        "《排污许可管理条例》第三十三条", "yuan", _yuan(200000, 1000000),
        _three(_yuan(200000, 400000), _yuan(401000, 700000), _yuan(701000, 1000000),
               heavy_kinds=("stop_production", "closure"),
               heavy_other="情节严重的，报经有批准权的人民政府批准，责令停业、关闭"),
        _ECOLOGY),
    BenchmarkSpec(
        "urban-001", "餐饮服务业经营者未安装或者不正常使用油烟净化设施，超过排放标准排放油烟",
        "urban", "430000", None, ((AIR, 81),), ((AIR, 118),),
        "《中华人民共和国大气污染防治法》第八十一条第一款",
        "《中华人民共和国大气污染防治法》第一百一十八条第一款", "yuan", _yuan(5000, 50000),
        (_no_penalty(), *_three(_yuan(5000, 15000), _yuan(16000, 35000), _yuan(36000, 50000),
                                heavy_other="拒不改正的，责令停业整治")), _APPEARANCE),
    BenchmarkSpec(
        "urban-002", "在当地人民政府禁止的时段和区域内露天烧烤食品", "urban", "430000", None,
        ((AIR, 81),), ((AIR, 118),), "《中华人民共和国大气污染防治法》第八十一条第三款",
        "《中华人民共和国大气污染防治法》第一百一十八条第三款", "yuan", _yuan(500, 20000),
        # Art. 118(3): the barbecue tools and the illegal gains are confiscated in every case.
        (_no_penalty(), *_three(_yuan(500, 5000), _yuan(5100, 12000), _yuan(12100, 20000),
                                kinds=("fine", "confiscate_property", "confiscate_gains"),
                                other="没收烧烤工具和违法所得")), _APPEARANCE),
    BenchmarkSpec(
        "urban-003", "个人随意倾倒、抛撒、堆放或者焚烧生活垃圾", "urban", "430000", None,
        ((SOLID_WASTE, 111),), ((SOLID_WASTE, 111),),
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第一款第（一）项",
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第二款", "yuan",
        _yuan(100, 500),
        (_no_penalty(), *_three(_yuan(100, 200), _yuan(210, 350), _yuan(360, 500))),
        _APPEARANCE),
    BenchmarkSpec(
        "urban-004", "单位随意倾倒、抛撒、堆放或者焚烧生活垃圾", "urban", "430000", None,
        ((SOLID_WASTE, 111),), ((SOLID_WASTE, 111),),
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第一款第（一）项",
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第二款", "yuan",
        _yuan(50000, 500000),
        (_mitigated(*_yuan(25000, 45000), kinds=("fine", "confiscate_gains"),
                    other="有违法所得的，没收违法所得"),
         *_three(_yuan(50000, 150000), _yuan(151000, 350000), _yuan(351000, 500000),
                 kinds=("fine", "confiscate_gains"), other="有违法所得的，没收违法所得")),
        _APPEARANCE),
    BenchmarkSpec(
        "urban-005", "擅自占用或者挖掘城市道路", "urban", "430000", None,
        ((URBAN_ROAD, 27),), ((URBAN_ROAD, 42),), "《城市道路管理条例》第二十七条",
        "《城市道路管理条例》第四十二条", "yuan", (0, yuan(20000)),
        # "可以处以2万元以下的罚款": the fine is the only penalty, so the lightest tier starts
        # at a realistic amount rather than at nothing.
        _three(_yuan(1000, 5000), _yuan(5100, 12000), _yuan(12100, 20000), other="责令限期改正"),
        _APPEARANCE),
    BenchmarkSpec(
        "market-001", "经营者违反明码标价规定", "market", "430000", "hn-market",
        ((PRICE, 13),), ((PRICE, 42),), "《中华人民共和国价格法》第十三条",
        "《中华人民共和国价格法》第四十二条", "yuan", (0, yuan(5000)),
        (_no_penalty(), *_three(_yuan(500, 1500), _yuan(1600, 3000), _yuan(3100, 5000),
                                kinds=("fine", "confiscate_gains"),
                                other="责令改正，没收违法所得")), _MARKET),
    BenchmarkSpec(
        "market-002", "未取得食品经营许可从事食品经营活动（货值金额不足一万元）", "market",
        "430000", "hn-market", ((FOOD, 35),), ((FOOD, 122),),
        "《中华人民共和国食品安全法》第三十五条第一款",
        "《中华人民共和国食品安全法》第一百二十二条第一款", "yuan", _yuan(50000, 100000),
        (_mitigated(*_yuan(30000, 45000), kinds=_FOOD_SEIZED,
                    other="没收违法所得和违法经营的食品以及用于违法经营的工具、设备、原料等物品"),
         *_three(_yuan(50000, 65000), _yuan(66000, 85000), _yuan(86000, 100000),
                 kinds=_FOOD_SEIZED,
                 other="没收违法所得和违法经营的食品以及用于违法经营的工具、设备、原料等物品")),
        _MARKET),
    BenchmarkSpec(
        "market-003", "食品经营者未按规定查验进货或者建立并遵守进货查验记录制度，经责令改正"
        "拒不改正", "market", "430000", "hn-market", ((FOOD, 53),), ((FOOD, 126),),
        "《中华人民共和国食品安全法》第五十三条", "《中华人民共和国食品安全法》第一百二十六条",
        "yuan", _yuan(5000, 50000),
        _three(_yuan(5000, 15000), _yuan(16000, 35000), _yuan(36000, 50000),
               heavy_kinds=("stop_production", "revoke_licence"),
               heavy_other="情节严重的，责令停产停业，直至吊销许可证"),
        _MARKET),
    BenchmarkSpec(
        "market-004", "经营标签、说明书不符合规定的食品（货值金额不足一万元）", "market",
        "430000", "hn-market", ((FOOD, 67), (FOOD, 71)), ((FOOD, 125),),
        "《中华人民共和国食品安全法》第六十七条、第七十一条",
        "《中华人民共和国食品安全法》第一百二十五条第一款", "yuan", _yuan(5000, 50000),
        _three(_yuan(5000, 15000), _yuan(16000, 35000), _yuan(36000, 50000),
               kinds=_FOOD_SEIZED, other="没收违法所得和违法经营的食品",
               heavy_kinds=("stop_production", "revoke_licence"),
               heavy_other="情节严重的，责令停产停业，直至吊销许可证"),
        _MARKET),
    BenchmarkSpec(
        "market-005", "销售者在产品中掺杂、掺假，以假充真，以次充好", "market", "430000",
        "hn-market", ((PRODUCT, 39),), ((PRODUCT, 50),), "《中华人民共和国产品质量法》第三十九条",
        "《中华人民共和国产品质量法》第五十条", "multiple", (500, 3000),
        # Art. 50: the products are confiscated in every case, the illegal gains whenever
        # there are any; only the business licence depends on the circumstances.
        _three((500, 1200), (1300, 2200), (2300, 3000),
               kinds=("fine", "confiscate_property", "confiscate_gains"),
               other="责令停止销售，没收违法销售的产品；有违法所得的，并处没收违法所得",
               heavy_kinds=("revoke_licence",), heavy_other="情节严重的，吊销营业执照"),
        _MARKET),
    BenchmarkSpec(
        "market-006", "广告主发布使用“国家级”“最高级”“最佳”等用语的广告", "market", "430000",
        "hn-market", ((ADVERTISING, 9),), ((ADVERTISING, 57),),
        "《中华人民共和国广告法》第九条第（三）项", "《中华人民共和国广告法》第五十七条第（一）项",
        "yuan", _yuan(200000, 1000000),
        (_mitigated(*_yuan(100000, 180000), other="责令停止发布广告"),
         *_three(_yuan(200000, 400000), _yuan(401000, 700000), _yuan(701000, 1000000),
                 other="责令停止发布广告", heavy_kinds=("revoke_licence",),
                 heavy_other="情节严重的，并可以吊销营业执照")),
        _MARKET),
    BenchmarkSpec(
        "culture-001", "歌舞娱乐场所接纳未成年人（没有违法所得或者违法所得不足1万元）",
        "culture", "430000", None, ((ENTERTAINMENT, 23),), ((ENTERTAINMENT, 48),),
        "《娱乐场所管理条例》第二十三条", "《娱乐场所管理条例》第四十八条第（三）项", "yuan",
        _yuan(10000, 30000),
        _three(_yuan(10000, 15000), _yuan(16000, 23000), _yuan(24000, 30000),
               kinds=("fine", "confiscate_gains", "confiscate_property"),
               other="没收违法所得和非法财物", heavy_kinds=("stop_production",),
               heavy_other="情节严重的，责令停业整顿1个月至6个月"),
        _CULTURE),
    BenchmarkSpec(
        "culture-002", "侵犯著作权同时损害公共利益（违法经营额不足五万元或者无法计算）",
        "culture", "430000", None, ((COPYRIGHT, 53),), ((COPYRIGHT, 53),),
        "《中华人民共和国著作权法》第五十三条", "《中华人民共和国著作权法》第五十三条", "yuan",
        (0, yuan(250000)),
        # Warning and confiscation are mandatory, the fine optional: the lighter tier
        # imposes no fine.
        _three(None, _yuan(10000, 100000), _yuan(101000, 250000),
               kinds=("warning", "confiscate_gains", "confiscate_property", "fine"),
               other="责令停止侵权行为，予以警告，没收违法所得，没收、无害化销毁处理侵权复制品"
                     "以及主要用于制作侵权复制品的材料、工具、设备等"),
        _CULTURE),
    BenchmarkSpec(
        "transport-001", "在公路上及公路用地范围内摆摊设点、堆放物品、倾倒垃圾，影响公路畅通",
        "transport", "430000", "hn-transport", ((HIGHWAY, 46),), ((HIGHWAY, 77),),
        "《中华人民共和国公路法》第四十六条", "《中华人民共和国公路法》第七十七条", "yuan",
        (0, yuan(5000)),
        (_no_penalty(), *_three(_yuan(200, 1000), _yuan(1100, 3000), _yuan(3100, 5000),
                                other="责令停止违法行为")),
        _TRANSPORT),
    BenchmarkSpec(
        "transport-002", "在公路建筑控制区内修建建筑物、地面构筑物", "transport", "430000",
        "hn-transport", ((HIGHWAY, 56),), ((HIGHWAY, 81),), "《中华人民共和国公路法》第五十六条",
        "《中华人民共和国公路法》第八十一条", "yuan", (0, yuan(50000)),
        _three(_yuan(1000, 10000), _yuan(11000, 30000), _yuan(31000, 50000),
               other="责令限期拆除"),
        _TRANSPORT),
    BenchmarkSpec(
        "agriculture-001", "经营、运输的动物未附有检疫证明", "agriculture", "430000", None,
        ((ANIMAL, 49),), ((ANIMAL, 100),), "《中华人民共和国动物防疫法》第四十九条",
        "《中华人民共和国动物防疫法》第一百条", "multiple", (0, 1000),
        # "处…货值金额一倍以下罚款": the fine is mandatory, so no tier starts at nothing.
        _three((100, 300), (310, 600), (610, 1000), other="责令改正"),
        "《湖南省农业农村行政处罚裁量权基准（演示文件，虚构）》"),
]
