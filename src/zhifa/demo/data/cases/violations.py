"""Penalty cases by enforcement item template (``data.items``): the wording of the title and
the facts, the penalty proposed (kinds of ``catalog.PenaltyKind``, fines in yuan inside the
cited provision's range) and, where the item allows one, an on-the-spot (summary) penalty.

``parties``: who typically commits it — ``o`` organisation, ``b`` individual business, ``p``
natural person. ``tags``: ``hearing`` (the organisation's fine reaches the hearing amount of
the demo's thresholds, so the party may ask for a hearing), ``major`` (legal review and
collective discussion fit), ``transfer`` (may go to the judicial organs).
"""

from typing import NamedTuple


class Violation(NamedTuple):
    phrase: str  # title: party name + phrase + 案
    facts: str  # "{party}" is replaced by the party's name
    kinds: tuple[str, ...]
    fines: tuple[int, ...] = ()  # yuan
    confiscation: tuple[int, ...] = ()  # yuan
    parties: str = "ob"
    summary_kinds: tuple[str, ...] = ()  # on the spot: ("warning",) or ("fine",)
    summary_fines: tuple[int, ...] = ()  # yuan, within the summary limits
    tags: frozenset[str] = frozenset()
    evidence: str = "现场检查笔录、询问笔录、现场照片"
    preserved: str = ""
    # company kinds and shop kinds that fit the violation (else the sector's)
    companies: tuple[str, ...] = ()
    shops: tuple[str, ...] = ()


FOOD_COMPANIES = ("商贸", "食品", "超市", "餐饮管理")
FOOD_SHOPS = ("食品店", "便利店", "卤菜店", "副食店", "小吃店")
H = frozenset({"hearing", "major"})
HT = frozenset({"hearing", "major", "transfer"})

VIOLATIONS: dict[str, Violation] = {
    # --- market ---------------------------------------------------------------------------
    "food-unlicensed": Violation(
        "未取得食品经营许可从事食品经营",
        "{party}未取得食品经营许可，在其经营场所加工销售散装熟卤制品，货值金额不足一万元。",
        ("fine", "confiscate_gains"), (50000, 60000), (1200, 2600, 3800), "bp",
        preserved="散装熟卤制品及加工工具一批", shops=("卤菜店", "小吃店", "食品店")),
    "food-expired": Violation(
        "经营超过保质期的食品",
        "{party}在其经营场所货架陈列销售超过保质期的预包装食品，货值金额不足一万元。",
        ("fine", "confiscate_property"), (50000,), (300, 580, 860), "ob",
        preserved="超过保质期的预包装食品一批", companies=FOOD_COMPANIES,
        shops=FOOD_SHOPS),
    "food-label": Violation(
        "经营标签不符合规定的食品",
        "{party}销售的预包装食品标签未标注生产日期，经责令改正后仍未改正。",
        ("fine",), (2000,), (), "ob", ("fine",), (1000, 2000),
        evidence="现场检查笔录、产品标签照片", companies=FOOD_COMPANIES,
        shops=FOOD_SHOPS),
    "food-records": Violation(
        "未按规定查验进货并建立进货查验记录",
        "{party}采购食品未查验供货者的许可证和食品出厂检验合格证，亦未建立进货查验记录。",
        ("warning",), (), (), "ob", ("warning",), (), companies=FOOD_COMPANIES,
        shops=FOOD_SHOPS),
    "price-tag": Violation(
        "不按规定明码标价",
        "{party}销售的商品未按规定标示品名、价格和计价单位。",
        ("warning", "fine"), (3000, 5000), (), "ob", ("warning", "fine"), (200, 1000, 2000),
        evidence="现场检查笔录、价签照片"),
    "product-fake": Violation(
        "销售以次充好的产品",
        "{party}将低等级电线电缆冒充高等级产品销售，货值金额三万余元，违法所得六千余元。",
        ("fine", "confiscate_gains", "confiscate_property"), (45000, 60000), (6200, 8400),
        "o", tags=frozenset({"major"}), preserved="涉嫌以次充好的电线电缆86卷",
        companies=("电子科技", "商贸", "五金机电")),
    "advert-banned": Violation(
        "发布使用“国家级”“最佳”等用语的广告",
        "{party}在其网站和门店宣传资料中使用“国家级”“最佳”等用语发布广告。",
        ("fine",), (200000, 250000, 300000), (), "o", tags=H,
        evidence="网页截图公证书、宣传资料、询问笔录"),
    "consumer-rights": Violation(
        "侵害消费者权益",
        "{party}以预付卡方式收取消费者费用后，拒不按约定提供服务，亦不退还预付款。",
        ("warning", "fine"), (20000, 30000, 50000), (), "ob",
        evidence="消费者投诉材料、合同、收款记录"),
    "equipment-unregistered": Violation(
        "使用未办理使用登记的特种设备",
        "{party}使用的两台乘客电梯未办理使用登记，经责令限期改正，逾期仍未改正。",
        ("fine",), (10000, 20000, 30000), (), "o",
        evidence="现场检查笔录、特种设备安全监察指令书", companies=("超市", "商贸", "物业管理")),
    # --- urban ----------------------------------------------------------------------------
    "cooking-fumes": Violation(
        "餐饮油烟超标排放",
        "{party}未安装油烟净化设施，经监测，其油烟排放浓度超过国家标准。",
        ("fine",), (5000, 8000, 10000), (), "ob", evidence="监测报告、现场检查笔录",
        companies=("餐饮管理",), shops=("餐馆", "小吃店", "烧烤店")),
    "open-barbecue": Violation(
        "在禁止区域露天烧烤食品",
        "{party}在城区禁止区域内露天烧烤食品，经劝阻后仍继续经营。",
        ("fine", "confiscate_property"), (500, 1000, 2000), (200, 400), "pb",
        preserved="烧烤炉具一套", shops=("烧烤店", "小吃店")),
    "waste-dumping": Violation(
        "随意倾倒生活垃圾",
        "{party}将生活垃圾随意倾倒在公共绿地内。",
        ("fine",), (50000,), (), "op", ("fine",), (100, 200), companies=("物业管理",)),
    "construction-waste": Violation(
        "擅自倾倒建筑垃圾",
        "{party}未经核准，在道路旁空地擅自倾倒建筑垃圾约一百二十立方米。",
        ("fine",), (50000, 80000), (), "o", tags=H, companies=("建筑工程", "装饰工程")),
    "graffiti": Violation(
        "擅自在建筑物、设施上张贴宣传品",
        "{party}在居民楼道和电线杆上擅自张贴小广告。",
        ("warning", "fine"), (200,), (), "p", ("warning", "fine"), (50, 100, 200)),
    "street-stacking": Violation(
        "擅自在街道两侧堆放物料",
        "{party}未经批准在街道两侧人行道上堆放建材，影响市容和通行。",
        ("warning", "fine"), (1000,), (), "bp", ("warning", "fine"), (100, 200),
        shops=("五金店", "建材店")),
    "road-occupation": Violation(
        "擅自占用城市道路",
        "{party}未经批准占用城市道路堆放施工材料、设置围挡。",
        ("fine",), (5000, 10000, 20000), (), "ob", companies=("建筑工程", "装饰工程"),
        shops=("建材店", "五金店")),
    "planning-unpermitted": Violation(
        "未取得建设工程规划许可证进行建设",
        "{party}未取得建设工程规划许可证，擅自建设三层钢结构厂房，建设工程造价约一百八十万元。",
        ("fine",), (90000, 126000), (), "o", tags=H, companies=("建筑工程", "实业")),
    # --- ecology --------------------------------------------------------------------------
    "air-excess": Violation(
        "超过大气污染物排放标准排放大气污染物",
        "经执法监测，{party}锅炉废气中颗粒物、二氧化硫排放浓度超过排放标准。",
        ("fine",), (100000, 150000, 200000), (), "o", tags=H,
        evidence="执法监测报告、现场检查笔录、在线监控数据"),
    "water-excess": Violation(
        "超过水污染物排放标准排放水污染物",
        "经采样监测，{party}废水总排口化学需氧量、氨氮浓度超过排放标准。",
        ("fine",), (100000, 150000), (), "o", tags=H,
        evidence="采样记录、监测报告、现场检查笔录"),
    "water-evasion": Violation(
        "通过暗管逃避监管方式排放水污染物",
        "{party}私设暗管，将未经处理的电镀废水直接排入雨水管网。",
        ("fine",), (200000, 300000), (), "o", tags=HT,
        evidence="现场勘查笔录、暗管走向图、采样监测报告"),
    "eia-unapproved": Violation(
        "建设项目环境影响评价文件未经批准擅自开工建设",
        "{party}年产五万吨再生塑料颗粒项目环境影响报告表未经批准即开工建设，项目总投资六百万元。",
        ("fine",), (60000, 90000), (), "o", tags=H),
    "permit-missing": Violation(
        "未取得排污许可证排放污染物",
        "{party}属于排污许可重点管理单位，未取得排污许可证即投入生产并排放污染物。",
        ("fine",), (200000, 250000), (), "o", tags=H),
    # --- emergency ------------------------------------------------------------------------
    "safety-organisation": Violation(
        "未按规定对从业人员进行安全生产教育和培训",
        "{party}未对新招用的从业人员进行安全生产教育和培训，亦未如实记录培训情况。",
        ("fine",), (20000, 30000, 50000), (), "o", tags=frozenset({"hearing"})),
    "safety-equipment": Violation(
        "未对安全设备进行经常性维护、保养",
        "{party}车间内可燃气体报警装置损坏，未进行经常性维护保养和定期检测。",
        ("fine",), (10000, 20000, 30000), (), "o", tags=frozenset({"hearing"})),
    "hidden-danger": Violation(
        "未采取措施消除事故隐患",
        "{party}对检查发现的危险化学品仓库事故隐患，逾期未采取措施消除。",
        ("fine",), (30000, 50000), (), "o", tags=H),
    # --- culture --------------------------------------------------------------------------
    "minors-admitted": Violation(
        "歌舞娱乐场所接纳未成年人",
        "{party}经营的歌舞娱乐场所在营业期间接纳未成年人进入消费。",
        ("warning",), (), (), "ob", ("warning",), ()),
    "over-capacity": Violation(
        "娱乐场所容纳的消费者超过核定人数",
        "{party}在节假日营业期间容纳的消费者明显超过核定人数。",
        ("warning",), (), (), "ob", ("warning",), ()),
    "copyright-public": Violation(
        "侵犯著作权并损害公共利益",
        "{party}未经著作权人许可，通过其经营的点播系统向公众提供影视作品，违法经营额不足五万元。",
        ("fine", "confiscate_gains"), (30000, 50000), (3500, 5200), "ob",
        tags=frozenset({"hearing"})),
    # --- agriculture ----------------------------------------------------------------------
    "banned-animals": Violation(
        "经营病死动物产品",
        "{party}收购、销售病死猪肉共计三百余公斤，货值金额约六千元。",
        ("fine", "confiscate_property"), (90000, 120000), (6000,), "bp", tags=HT,
        preserved="病死猪肉三百二十公斤"),
    "no-quarantine-certificate": Violation(
        "运输未附有检疫证明的动物",
        "{party}运输生猪四十二头，未附有动物检疫证明。",
        ("fine",), (3000, 5000, 8000), (), "bp", preserved="生猪四十二头"),
    # --- natural resources ----------------------------------------------------------------
    "illegal-occupation": Violation(
        "未经批准非法占用土地",
        "{party}未经批准占用集体土地一千二百平方米修建仓库，其中占用耕地四百平方米。",
        ("fine", "confiscate_property"), (36000, 48000), (), "ob", tags=H),
    "illegal-transfer": Violation(
        "非法转让土地",
        "{party}以出租为名将其使用的工业用地非法转让他人，获取转让价款。",
        ("fine", "confiscate_gains"), (60000,), (150000,), "o", tags=H),
    "completion-files": Violation(
        "未在竣工验收后六个月内报送竣工验收资料",
        "{party}开发的住宅项目竣工验收后逾期十个月未向城乡规划主管部门报送竣工验收资料。",
        ("fine",), (10000, 30000), (), "o"),
    "planning-permit": Violation(
        "未按照建设工程规划许可证的规定进行建设",
        "{party}超出建设工程规划许可证核定的建筑面积建设，超建面积六百平方米。",
        ("fine",), (80000, 120000), (), "o", tags=H),
    # --- transport ------------------------------------------------------------------------
    "highway-occupation": Violation(
        "擅自占用、挖掘公路",
        "{party}未经许可在国道路肩挖掘埋设管线，损坏路面约四十平方米。",
        ("fine",), (10000, 20000), (), "o"),
    "highway-obstruction": Violation(
        "在公路用地范围内摆摊设点",
        "{party}在公路用地范围内摆摊设点销售水果，妨碍公路通行。",
        ("warning", "fine"), (500,), (), "pb", ("warning", "fine"), (100, 200)),
    "highway-control-zone": Violation(
        "在公路建筑控制区内修建建筑物",
        "{party}在省道公路建筑控制区内修建二层砖混结构门面房。",
        ("fine",), (20000, 30000, 50000), (), "ob", tags=frozenset({"hearing"})),
}

# Steps of the investigation, rotated over the cases.
INVESTIGATION_STEPS = (
    ("inspection", "对当事人经营场所进行现场检查，制作现场检查笔录，拍摄现场照片。"),
    ("questioning", "对当事人的负责人进行询问，制作询问笔录，当事人对违法事实无异议。"),
    ("sampling", "依法抽取样品送有资质的检验机构检验。"),
    ("other", "调取当事人的进货票据、销售记录和营业执照复印件。"),
)

DECLINE_REASONS = (
    "经核查，举报反映的问题与事实不符，不符合立案条件。",
    "经核查，该事项不属于本机关管辖，已告知举报人向有管辖权的机关反映。",
)
